"""Benchmark of the card page panel by panel; run by hand.

  .venv/bin/python bench/card_panels.py --reuse /tmp/m1                  # a filled SQLite var folder (a copy!)
  DATABASE_URL=postgres://... .venv/bin/python bench/card_panels.py
  .venv/bin/python bench/card_panels.py --reuse DIR --number 2026-000123 --user qms --requests 20

Any filled database will do (`amends demo` in an empty var folder, or bench/million.py's): the cost of
a panel hardly depends on the number of cards. For one open card (the open card with the longest
timeline unless --number), as the head of the QMS (bench-qms unless --user), it prints:

  - each panel's context function and its template, CPU ms (median of --requests) and queries;
  - each fragment (a collapsed form fetched when opened) the same way, as it costs when opened;
  - each form a panel shows, rendered alone (includes/form.html): fields, options, CPU ms, queries;
  - the whole page through the test client: queries and the p50 of the process's CPU time, with the
    load average (the machine is shared: CPU time is the closer figure of what the page costs).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import environment, load, percentile, qms_head, say  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", metavar="DIR", help="SQLite: a filled var folder")
    parser.add_argument("--number", help="the card (default: the open card with the longest timeline)")
    parser.add_argument("--user", help="the username to look as (default: bench-qms, a head of the QMS)")
    parser.add_argument("--requests", type=int, default=15, help="repetitions of each measure")
    parser.add_argument("--query", default="", help="the card page's query string, e.g. open=edit")
    return parser.parse_args()


OPTIONS = arguments()
if not os.environ.get("DATABASE_URL") and not OPTIONS.reuse:
    sys.exit("Give --reuse DIR (a filled SQLite var folder) or DATABASE_URL of a filled PostgreSQL.")
environment("amends-bench-card-", var_dir=OPTIONS.reuse, own_sqlite=not os.environ.get("DATABASE_URL"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}}

from django import forms  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.template import RequestContext, engines  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.complaints import card_page, selectors  # noqa: E402
from amends.complaints.choices import FINAL_STATES  # noqa: E402
from amends.complaints.forms import quick_forms  # noqa: E402
from amends.complaints.models import Complaint  # noqa: E402

translation.activate("en")

ENGINE = engines["django"].engine  # type: ignore[attr-defined]


def measured(work, times: int) -> tuple[float, int, object]:
    """Median CPU ms of `work()` over `times` runs, the queries of one run, and its result."""
    with CaptureQueriesContext(connection) as queries:
        result = work()
    cpus = []
    for _ in range(times):
        started = time.process_time()
        work()
        cpus.append((time.process_time() - started) * 1000)
    return statistics.median(cpus), len(queries), result


def forms_in(context: dict) -> list[tuple[str, forms.BaseForm]]:
    found = []
    for key, value in context.items():
        for n, form in enumerate(value if isinstance(value, list | tuple) else [value]):
            if isinstance(form, forms.BaseForm):
                found.append((key if not isinstance(value, list | tuple) else f"{key}[{n}]", form))
    return found


def options(form: forms.BaseForm) -> int:
    return sum(len(list(getattr(field.field, "choices", ()) or ())) for field in form)


def main() -> None:
    user = User.objects.get(username=OPTIONS.user) if OPTIONS.user else qms_head()
    cards = Complaint.objects.exclude(state__in=FINAL_STATES).exclude(responsible=None)
    number = OPTIONS.number or cards.annotate(n=Count("events")).order_by("-n", "-pk").first().number
    card = selectors.complaint_get(user, number)  # as the card view reads it
    url = f"/complaints/{card.number}/" + (f"?{OPTIONS.query}" if OPTIONS.query else "")
    request = RequestFactory().get(url)
    request.user = user
    times = OPTIONS.requests
    say(f"{connection.vendor}, {Complaint.objects.count():,} cards; card {card.number} ({card.get_state_display()}, "
        f"{card.events.count()} entries, {card.measures.count()} measures) as {user.username}; {load()}")

    rows = []
    cpu, count, own = measured(lambda: quick_forms(card_page._own_context(request, card, {})), times)
    rows.append(("complaints' own context", cpu, count))
    page = RequestContext(request, {**own, "open_form": None, "card_fragments": {}})
    form_rows = [("complaints", key, form) for key, form in forms_in(own)]
    with page.bind_template(ENGINE.get_template("complaints/detail.html")):
        for panel in sorted(card_page.PANELS.values(), key=lambda p: (p.column, p.order, p.name)):
            cpu, count, context = measured(
                lambda panel=panel: quick_forms(panel.context(request, card, {})) if panel.context else {},
                times,
            )
            rows.append((f"{panel.column} {panel.order} {panel.name}: context", cpu, count))
            template = ENGINE.get_template(panel.template)

            def render(template=template, context=context):
                with page.push(context):
                    return template.render(page)
            cpu, count, _html = measured(render, times)
            rows.append((f"{panel.column} {panel.order} {panel.name}: template", cpu, count))
            form_rows += [(panel.name, key, form) for key, form in forms_in(context)]

        # Each fragment as it costs when opened (on the card, or fetched); closed, it is in its panel's figures.
        shell = ENGINE.get_template("complaints/card/fragment.html")
        measure = card.measures.order_by("pk").first()
        for name, fragment in sorted(card_page.FRAGMENTS.items()):
            if fragment.keyed and measure is None:
                continue
            key = str(measure.pk) if fragment.keyed else ""  # the keyed ones are a measure's
            cpu, count, context = measured(
                lambda fragment=fragment, key=key: card_page._fragment_context(request, card, fragment, key, {}),
                times,
            )
            rows.append((f"fragment {name}: context", cpu, count))

            def render_fragment(context=context, fragment=fragment):
                with page.push(context, fragment_name=fragment.name, fragment_template=fragment.template):
                    return shell.render(page)
            cpu, count, _html = measured(render_fragment, times)
            rows.append((f"fragment {name}: template", cpu, count))
            form_rows += [(f"fragment {name}", key, form) for key, form in forms_in(context)]

        form_template = ENGINE.get_template("includes/form.html")
        form_table = []
        for panel_name, key, form in form_rows:
            def render_form(form=form):
                with page.push({"form": form}):
                    return form_template.render(page)
            cpu, count, _html = measured(render_form, times)
            form_table.append((f"{panel_name}: {key} ({len(form.fields)} fields, {options(form)} options)", cpu, count))

    width = max(len(label) for label, *_ in rows + form_table)
    say(f"\n{'panel part':<{width}}  {'CPU ms':>7}  queries")
    for label, cpu, count in rows:
        say(f"{label:<{width}}  {cpu:>7.1f}  {count:>7}")
    say(f"\n{'form rendered alone':<{width}}  {'CPU ms':>7}  queries")
    for label, cpu, count in sorted(form_table, key=lambda row: -row[1]):
        say(f"{label:<{width}}  {cpu:>7.1f}  {count:>7}")

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    count = len(queries)  # read now: each request empties the log
    cpus, walls = [], []
    for _ in range(times):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    say(f"\nthe page {url}: {count} queries, CPU p50 {percentile(cpus, 0.5):.0f} ms "
        f"(best {min(cpus):.0f}), wall p50 {percentile(walls, 0.5):.0f} ms, {load()}")


main()
