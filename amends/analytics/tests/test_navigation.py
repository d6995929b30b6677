"""The analysis' own navigation: on every analysis page, the pages the user may open, the one shown
marked with aria-current."""

import re

import pytest
from django.urls import reverse

from amends.analytics.dashboards import DASHBOARDS
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.models import RegisterExport

from . import test_board_views
from .test_board_views import PERIOD, page

pytestmark = pytest.mark.django_db

# The dashboard tests' fixtures, where pytest finds them: their charts, the QMS head reading English.
test_charts, qms_en = test_board_views.test_charts, test_board_views.overseer

REPORT_PAGES = ["monthly", "yearly", "orders", "exports", "subscriptions"]
NAV = re.compile(r'<nav class="analysis-nav[^"]*"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"(?: aria-current="(page|true)")?>([^<]+)</a>')


def nav_links(html: str) -> list[tuple[str, str, str]]:
    """(href, aria-current, label) of each link of the page's one analysis navigation."""
    found = NAV.findall(html)
    assert len(found) == 1, f"{len(found)} analysis navigations"
    return LINK.findall(found[0])


def marked(html: str) -> list[tuple[str, str]]:
    return [(href, current) for href, current, _label in nav_links(html) if current]


def an_export(user) -> RegisterExport:
    return RegisterExport.objects.create(user=user, source="list", query="", format="csv", language="en")


def test_every_page_a_qms_head_may_open_is_linked_from_every_analysis_page(qms_en, qms, test_charts):
    export = an_export(qms)
    drill = reverse("analytics:cards") + "?chart=test_by_channel&point=all&series=cards"
    pages = [reverse("analytics:dashboard"), reverse("analytics:board", args=["causes"]), drill,
             *(reverse(f"analytics:{name}") for name in REPORT_PAGES), reverse("analytics:export", args=[export.pk])]
    expected = [reverse("analytics:board", args=[key]) for key in DASHBOARDS] + [
        reverse(f"analytics:{name}") for name in REPORT_PAGES
    ]
    for url in pages:
        hrefs = [href.split("?")[0] for href, _current, _label in nav_links(page(qms_en, url))]
        assert hrefs == expected, url


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_a_report_page_is_marked_as_the_page_shown(qms_en, name):
    url = reverse(f"analytics:{name}")
    assert marked(page(qms_en, url)) == [(url, "page")]


def test_the_dashboard_shown_is_marked_and_the_dashboards_keep_the_filters(qms_en, test_charts):
    html = page(qms_en, reverse("analytics:board", args=["causes"]), **PERIOD)
    assert marked(html) == [(f'{reverse("analytics:board", args=["causes"])}?start=2026-03-01&amp;end=2026-05-31',
                             "page")]
    dashboards = [href for href, _current, _label in nav_links(html)][:len(DASHBOARDS)]
    assert all(href.endswith("?start=2026-03-01&amp;end=2026-05-31") for href in dashboards)
    # The landing page is the overview, with the default period.
    default = AnalyticsFilter.default().querystring().replace("&", "&amp;")
    assert marked(page(qms_en, reverse("analytics:dashboard"))) == [
        (f'{reverse("analytics:board", args=["overview"])}?{default}', "page"),
    ]


def test_the_drill_down_marks_its_dashboard_as_where_the_user_is(qms_en, test_charts):
    html = page(qms_en, reverse("analytics:cards"), chart="test_by_channel", point="all", series="cards",
                board="causes", **PERIOD)
    assert marked(html) == [(f'{reverse("analytics:board", args=["causes"])}?start=2026-03-01&amp;end=2026-05-31',
                             "true")]


def test_an_exports_progress_page_marks_my_exports(qms_en, qms):
    html = page(qms_en, reverse("analytics:export", args=[an_export(qms).pk]))
    assert marked(html) == [(reverse("analytics:exports"), "true")]


def test_a_manager_is_not_offered_the_order_counts(client, manager, test_charts):
    client.force_login(manager)
    hrefs = {href.split("?")[0] for href, _current, _label in nav_links(page(client, reverse("analytics:dashboard")))}
    assert reverse("analytics:orders") not in hrefs
    assert {reverse("analytics:monthly"), reverse("analytics:yearly"), reverse("analytics:exports"),
            reverse("analytics:subscriptions")} <= hrefs
    assert client.get(reverse("analytics:orders")).status_code == 403


def test_who_sees_no_analysis_gets_no_navigation_on_their_exports(client, operator):
    client.force_login(operator)
    html = page(client, reverse("analytics:exports"))
    assert "analysis-nav" not in html
    assert page(client, reverse("analytics:export", args=[an_export(operator).pk])).count("analysis-nav") == 0


def test_the_navigation_is_in_the_users_language(client, qms):
    client.force_login(qms)  # Russian, the default
    html = page(client, reverse("analytics:monthly"))
    assert 'aria-label="Анализ"' in html
    labels = [label for _href, _current, label in nav_links(html)]
    assert "Материалы ежемесячного разбора" in labels and "Мои выгрузки" in labels
