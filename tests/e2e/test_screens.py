"""Every main page fits a laptop (1366×768) and a phone (390×844), with the demo's data: nothing
scrolls sideways, no control lies under another element, no table cell spills over its neighbour,
no text box is too narrow to write in.

Each role signs in through /login/ in its own language, so the longest words (Armenian, Russian)
are measured too; the list must also show its table without an inner scroll bar on the laptop.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.models import Complaint, Measure
from amends.duplicates.models import DuplicateCandidate

from .conftest import TIMEOUT_MS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "amends-demo"
SCREENS = {"laptop": (1366, 768), "phone": (390, 844)}
OPEN_STATES = ["closed", "duplicate", "withdrawn"]

# What the page does wrong, found in the browser: sideways scrolling, covered controls, spilling cells.
PROBE = """() => {
  const visible = el => el.type !== "hidden" && !el.closest("[aria-hidden=true]") &&
    el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true, contentVisibilityAuto: true});
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    " “" + (el.textContent || el.name || "").trim().replace(/\\s+/g, " ").slice(0, 40) + "”";
  const covered = [];
  const controls = document.querySelectorAll("button, input, select, textarea, a[href], summary");
  for (const el of [...controls].filter(visible)) {
    el.scrollIntoView({block: "center", inline: "center"});
    const box = [...el.getClientRects()].find(r => r.width > 0 && r.height > 0);
    if (!box) continue;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (hit && (hit === el || el.contains(hit) || (hit.tagName === "LABEL" && hit.control === el))) continue;
    covered.push(name(el) + " under " + (hit ? name(hit) : "nothing (off screen)"));
  }
  window.scrollTo(0, 0);
  const spilling = [...document.querySelectorAll("td")].filter(td => visible(td) &&
    getComputedStyle(td).overflowX === "visible" && td.scrollWidth > td.clientWidth + 1).map(name);
  // A box to write a report or a note in needs room for a line of words (the measure's was 110 px).
  const cramped = [...document.querySelectorAll("textarea")].filter(visible)
    .filter(box => box.getBoundingClientRect().width < 240).map(name);
  const list = document.querySelector("table.complaints");
  return {
    width: document.documentElement.scrollWidth, viewport: window.innerWidth, covered, spilling, cramped,
    listClipped: list ? list.parentElement.scrollWidth > list.parentElement.clientWidth + 1 : false,
  };
}"""


def demo_pages() -> dict[str, tuple[str, list[str]]]:
    """Per demo user: the language they read in and their main pages, on cards like theirs."""
    candidate = DuplicateCandidate.objects.filter(dismissed=False).exclude(
        complaint__state__in=OPEN_STATES).select_related("complaint").first()
    assert candidate is not None, "the demo has no card with duplicate candidates"
    reporting = Measure.objects.filter(executor__username="executor", done_at__isnull=True).exclude(
        complaint__state__in=OPEN_STATES).select_related("complaint").first()
    assert reporting is not None, "the demo's executor has no measure to report"
    planned = (Complaint.objects.filter(responsible__username="responsible").exclude(state__in=OPEN_STATES)
               .annotate(measures_count=Count("measures")).order_by("-measures_count").first())
    assert planned is not None
    tracked = Complaint.objects.exclude(tracking_code="").order_by("-number").first()
    assert tracked is not None
    # A customer wrote after the answer: My deadlines heads that list with a badge, long in Armenian.
    closed = Complaint.objects.filter(state="closed").order_by("-number").first()
    assert closed is not None
    Complaint.objects.filter(pk=closed.pk).update(message_after_answer_at=timezone.now())
    # A duplicate's decision clock is "removed from control": the longest status, in Armenian.
    duplicate = Complaint.objects.filter(state="duplicate").order_by("-number").first()
    assert duplicate is not None
    return {
        "qms": ("hy", ["/complaints/", f"/complaints/{candidate.complaint.number}/", "/deadlines/mine/",
                       "/notifications/", "/reports/weekly/", f"/complaints/{planned.number}/print/",
                       f"/complaints/{duplicate.number}/"]),
        "responsible": ("ru", ["/complaints/", f"/complaints/{planned.number}/", "/deadlines/mine/",
                               "/notifications/"]),
        "executor": ("en", ["/complaints/", f"/complaints/{reporting.complaint.number}/", "/deadlines/mine/",
                            "/notifications/"]),
        "operator": ("ru", ["/complaints/", "/complaints/new/"]),
        "": ("ru", ["/complain/", f"/track/{tracked.number}/?code={tracked.tracking_code}"]),
    }


@pytest.mark.parametrize("screen", SCREENS)
def test_main_pages_fit_the_screen(chromium_browser, live_server, reference_data_restored, screen):
    call_command("demo", stdout=StringIO())
    width, height = SCREENS[screen]
    pages = demo_pages()
    for username, (language, _urls) in pages.items():
        User.objects.filter(username=username).update(language=language)
    problems: list[str] = []
    for username, (language, urls) in pages.items():
        context = chromium_browser.new_context(
            base_url=live_server.url, locale=language, viewport={"width": width, "height": height},
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        if username:
            page.goto("/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("section.login form button[type=submit]")
        for url in urls:
            response = page.goto(url)
            who = f"{username or 'visitor'} ({language}) at {width}px on {url}"
            assert response is not None and response.status == 200, f"{who}: HTTP {response and response.status}"
            found = page.evaluate(PROBE)
            if found["width"] > found["viewport"]:
                problems.append(f"{who}: the page is {found['width']} px wide")
            problems += [f"{who}: {control} is covered" for control in found["covered"]]
            problems += [f"{who}: {cell} spills over its neighbours" for cell in found["spilling"]]
            problems += [f"{who}: {box} is too narrow to write in" for box in found["cramped"]]
            if screen == "laptop" and found["listClipped"]:
                problems.append(f"{who}: the list's table scrolls inside its box")
        context.close()
    assert problems == []
