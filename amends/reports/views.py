"""Thin views: check the role, read the week, render."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .access import access_weekly_summary
from .selectors import weekly_summary
from .weeks import parse_week
from .xlsx import CONTENT_TYPE, weekly_summary_xlsx

# The screen lists this many overdue deadlines; the workbook lists them all.
SCREEN_OVERDUE_LIMIT = 200


def _week(request) -> date | None:
    """The week asked for as ?week=2026-W47; None for the last whole week."""
    text = request.GET.get("week", "")
    if not text:
        return None
    try:
        return parse_week(text)
    except ValueError:
        raise Http404(_("No such week: write it as 2026-W47.")) from None


@login_required
def weekly(request):
    access_weekly_summary(request.user)
    summary = weekly_summary(_week(request), overdue_limit=SCREEN_OVERDUE_LIMIT)
    return render(request, "reports/weekly.html", {"summary": summary})


@login_required
def weekly_xlsx(request):
    access_weekly_summary(request.user)
    summary = weekly_summary(_week(request))
    response = HttpResponse(weekly_summary_xlsx(summary, request), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="amends-weekly-{summary.label}.xlsx"'
    return response
