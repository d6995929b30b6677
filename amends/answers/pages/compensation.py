"""The card's compensation panel: its grants, the grant form within the user's limits, the QMS
head's approve/refuse, and the statutory penalty of a missed consumer-law term."""

from datetime import timedelta

from django.utils import timezone

from amends.complaints.access import COMPENSATION, QMS, can_write, has_relation
from amends.complaints.card_page import register_fragment, register_panel
from amends.deadlines.selectors import card_clocks_prefetch

from ..choices import GrantStatus
from ..compensation import allowances, card_grants, penalty_option, statutory_penalty
from ..forms.compensation import GrantForm, PriceForm, RefuseForm
from ..money import currency

# The date a grant is offered with: a week gives time to pay or send it.
DEFAULT_DUE = timedelta(days=7)


def compensation_panel(request, complaint, bound) -> dict:
    user = request.user
    can_grant = can_write(user, complaint, COMPENSATION)
    is_head = has_relation(user, complaint, QMS)
    mine = allowances(user) if can_grant else []
    card_clocks_prefetch(complaint)
    penalty = statutory_penalty(complaint)
    grants = [
        {"grant": grant, "refuse_form": bound.get(f"refuse-{grant.pk}") or RefuseForm(grant_id=grant.pk)}
        for grant in card_grants(complaint)
    ]
    penalty_offer = None
    # The penalty's option is read only when there is a penalty to offer.
    if penalty is not None and penalty.amount and (option := penalty_option()) is not None:
        if any(a.option.pk == option.pk for a in mine):
            penalty_offer = {"option": option.pk, "value": penalty.amount, "due_date": _due_date()}
    return {
        "grants": grants,
        "can_decide": is_head,
        "pending_status": GrantStatus.PENDING,
        "may_grant": bool(mine) or "compensation" in bound,
        "penalty": penalty,
        "penalty_offer": penalty_offer,
        "price_form": bound.get("goods-price") or (PriceForm() if can_grant and penalty is not None else None),
        "currency": currency(),
    }


def _due_date():
    return timezone.localdate() + DEFAULT_DUE


def grant_fragment(request, complaint, bound, key) -> dict:
    """The grant form, with the user's limits beside it."""
    mine = allowances(request.user) if can_write(request.user, complaint, COMPENSATION) else []
    return {
        "allowances": mine,
        "grant_form": bound.get("compensation") or (
            GrantForm(options=[a.option for a in mine], initial={"due_date": _due_date()}) if mine else None
        ),
        "currency": currency(),
    }


def register() -> None:
    register_panel(
        "compensation", "answers/compensation_panel.html", column="main", order=34, context=compensation_panel,
    )
    register_fragment("compensation", "answers/compensation_grant.html", grant_fragment)
