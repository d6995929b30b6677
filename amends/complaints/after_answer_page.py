"""The customer's message after the answer on the complaints' pages: a panel at the top of the card
with the message and the "keep closed" form, a marker column and a filter in the list."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import access
from .card_page import register_panel
from .forms import KeepClosedForm
from .list_page import register_list_column, register_list_filter
from .transitions import TRANSITIONS

WAITING = "waiting"


def after_answer_panel(request, complaint, bound) -> dict:
    if complaint.message_after_answer_at is None:
        return {"waiting": False}
    user = request.user
    can_decide = access.can_write(user, complaint, access.AFTER_ANSWER)
    return {
        "waiting": True,
        "message": complaint.message_after_answer,
        "since": complaint.message_after_answer_at,
        "reopen": TRANSITIONS["reopen_for_message"],
        "keep_form": bound.get("keep_closed") or (KeepClosedForm() if can_decide else None),
    }


def after_answer_filter_field() -> forms.Field:
    return forms.ChoiceField(
        label=_("After the answer"), required=False,
        choices=[("", _("Any")), (WAITING, _("The customer wrote"))],
    )


def filter_after_answer(queryset: QuerySet, value: str) -> QuerySet:
    return queryset.filter(message_after_answer_at__isnull=False)


def register() -> None:
    register_panel(
        "after_answer", "complaints/after_answer/panel.html", column="main", order=5, context=after_answer_panel,
    )
    register_list_filter("after_answer", field=after_answer_filter_field, apply=filter_after_answer)
    register_list_column("after_answer", _("After the answer"), "complaints/after_answer/cell.html", order=90)
