"""Thin views of the monthly review pack: check access, read the month, ask monthly.py, render; the
meeting's forms post here and come back to the pack (or show it again with their errors)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.models import User
from amends.core.errors import AccessDenied
from amends.reports.xlsx import CONTENT_TYPE

from ..access import access_analytics, access_conclusions
from ..models.reviews import ReviewDecision
from ..monthly import DecisionLine, last_whole_month, month_key, month_shift, monthly_pack, parse_month
from ..monthly_documents import monthly_pack_pdf, monthly_pack_xlsx
from ..review_forms import DecisionForm, FollowUpForm, ReviewForm
from ..reviews import decision_add, decision_update, review_record
from ..selectors import NOT_COUNTED
from ..svg import EMPTY_MESSAGE

PDF_TYPE = "application/pdf"


def _month(text: str) -> date | None:
    """The month asked for ("2026-11"); the last whole month when blank; None when unreadable."""
    if not text:
        return last_whole_month(timezone.localdate())
    try:
        return parse_month(text)
    except ValueError:
        return None


def _can_decide(user: User) -> bool:
    try:
        access_conclusions(user)
    except AccessDenied:
        return False
    return True


def _pack_url(month: date, anchor: str = "") -> str:
    return f"{reverse('analytics:monthly')}?month={month_key(month)}{'#' + anchor if anchor else ''}"


def _rows(lines: list[DecisionLine], bound: FollowUpForm | None, bound_pk: int | None) -> list[tuple]:
    """Each decision with its follow-up form (the one posted with errors stays bound)."""
    return [
        (line, bound if bound is not None and line.decision.pk == bound_pk else FollowUpForm(
            prefix=f"d{line.decision.pk}",
            initial={"follow_up": line.decision.follow_up, "done": line.decision.done_at is not None,
                     "due_date": line.decision.due_date},
        ))
        for line in lines
    ]


def _render(request, month: date | None, *, status: int = 200, review_form: ReviewForm | None = None,
            decision_form: DecisionForm | None = None, follow_up_form: FollowUpForm | None = None,
            follow_up_pk: int | None = None) -> HttpResponse:
    context: dict = {"not_counted": NOT_COUNTED, "empty_text": EMPTY_MESSAGE, "can_decide": _can_decide(request.user)}
    today = timezone.localdate()
    if month is None or month > today:
        # A month to come has no figures yet: its "open at the end" would be today's open cards.
        context["bad_month"] = (
            _("No such month: write it as 2026-11.") if month is None else _("This month has not begun yet.")
        )
        context["month_value"] = month_key(last_whole_month(today))
        return render(request, "analytics/monthly/pack.html", context, status=status)
    pack = monthly_pack(request.user, month)
    review = pack.review
    context.update({
        "pack": pack, "month_value": pack.key,
        "previous_key": month_key(month_shift(month, -1)),
        "review_form": review_form or ReviewForm(initial={
            "held_on": review.held_on if review else None, "attendees": review.attendees if review else "",
            "notes": review.notes if review else "",
        }),
        "decision_form": decision_form or DecisionForm(),
        "follow_up_rows": _rows(pack.follow_up, follow_up_form, follow_up_pk),
        "decision_rows": _rows(pack.decisions, follow_up_form, follow_up_pk),
    })
    return render(request, "analytics/monthly/pack.html", context, status=status)


@login_required
def monthly(request) -> HttpResponse:
    access_analytics(request.user)
    return _render(request, _month(request.GET.get("month", "")))


def _download(request, write, extension: str, content_type: str) -> HttpResponse:
    access_analytics(request.user)
    month = _month(request.GET.get("month", ""))
    if month is None or month > timezone.localdate():  # the page says what is wrong with the month
        return redirect(f"{reverse('analytics:monthly')}?{request.GET.urlencode()}")
    pack = monthly_pack(request.user, month)
    response = HttpResponse(write(pack), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="amends-monthly-{pack.key}.{extension}"'
    return response


@login_required
def monthly_xlsx(request) -> HttpResponse:
    return _download(request, lambda pack: monthly_pack_xlsx(pack, request), "xlsx", CONTENT_TYPE)


@login_required
def monthly_pdf(request) -> HttpResponse:
    return _download(request, monthly_pack_pdf, "pdf", PDF_TYPE)


def _posted_month(request) -> date | None:
    return _month(request.POST.get("month", "")) if request.POST.get("month") else None


def _meeting_post(request, form_class, write, done: str, anchor: str, bound_as: str) -> HttpResponse:
    """A form of the meeting about the posted month: written and back to the pack, or the pack again
    with the form's errors."""
    access_conclusions(request.user)
    month = _posted_month(request)
    form = form_class(request.POST)
    if month is None or not form.is_valid():
        return _render(request, month, status=400, **{bound_as: form})
    write(actor=request.user, month=month, **form.cleaned_data)
    messages.success(request, done)
    return redirect(_pack_url(month, anchor))


@login_required
@require_POST
def monthly_review(request) -> HttpResponse:
    return _meeting_post(request, ReviewForm, review_record, _("The meeting is recorded."), "review", "review_form")


@login_required
@require_POST
def monthly_decision_add(request) -> HttpResponse:
    return _meeting_post(
        request, DecisionForm, decision_add, _("The decision is recorded."), "decisions", "decision_form",
    )


@login_required
@require_POST
def monthly_decision_update(request, pk: int) -> HttpResponse:
    access_conclusions(request.user)
    decision = get_object_or_404(ReviewDecision.objects.select_related("review"), pk=pk)
    month = _posted_month(request) or decision.review.month  # the pack it was updated from
    form = FollowUpForm(request.POST, prefix=f"d{pk}")
    if not form.is_valid():
        return _render(request, month, status=400, follow_up_form=form, follow_up_pk=pk)
    decision_update(actor=request.user, decision=decision, **form.cleaned_data)
    messages.success(request, _("The decision is updated."))
    return redirect(_pack_url(month, f"decision-{pk}"))
