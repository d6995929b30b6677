"""Thin views: check access, parse the filters, ask the selectors, render."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ..access import access_analytics, can_see_analytics
from ..dashboards import DASHBOARDS, dashboard_charts
from ..drill import DrillError, drill_cards
from ..filters import AnalyticsFilter, AnalyticsFilterForm, filters_described
from ..selectors import NOT_COUNTED

PAGE_SIZE = 25
HOME_DASHBOARD = "overview"


@login_required
def home(request) -> HttpResponse:
    """Where a login lands: a manager on the dashboard, everyone else on the list of cards."""
    return redirect("analytics:dashboard" if can_see_analytics(request.user) else "complaints:list")


@login_required
def dashboard(request) -> HttpResponse:
    return board(request, HOME_DASHBOARD)


@login_required
def board(request, key: str) -> HttpResponse:
    access_analytics(request.user)
    shown = DASHBOARDS[key]  # the URL takes only a dashboard's key
    default = AnalyticsFilter.default()
    form = AnalyticsFilterForm(request.GET or None, initial={"start": default.start, "end": default.end})
    filters = default if not form.is_bound else form.to_filter() if form.is_valid() else None
    return render(request, "analytics/board/board.html", {
        "dashboard": shown, "form": form, "filters": filters,
        "described": filters_described(filters) if filters else [],
        "charts": dashboard_charts(request.user, shown, filters) if filters else [],
        "not_counted": NOT_COUNTED,
    })


@login_required
def cards(request) -> HttpResponse:
    """The cards behind one figure of a chart: exactly those its bar or point counted."""
    access_analytics(request.user)
    try:
        drilled = drill_cards(request.user, request.GET)
    except DrillError as error:
        return render(request, "analytics/board/cards.html", {"problem": error.message}, status=404)
    query = request.GET.copy()
    query.pop("page", None)
    back_to = request.GET.get("board", "")
    if back_to not in DASHBOARDS:
        back_to = next((key for key, one in DASHBOARDS.items() if drilled.spec.key in one.charts), HOME_DASHBOARD)
    return render(request, "analytics/board/cards.html", {
        "drilled": drilled, "page": Paginator(drilled.cards, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(), "described": filters_described(drilled.filters), "not_counted": NOT_COUNTED,
        "back": f"{reverse('analytics:board', args=[back_to])}?{drilled.filters.querystring()}",
        "back_title": DASHBOARDS[back_to].title,
        "dashboard": DASHBOARDS[back_to], "filters": drilled.filters,  # the navigation marks and keeps them
    })
