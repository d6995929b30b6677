"""The timeline's measure and deadline entries in the request's language, as on the card page."""

from datetime import timedelta

from django.utils import timezone, translation

from amends.complaints.services import measure_add
from amends.core.dates import date_text

from .helpers import url


def test_a_measure_planned_in_russian_reads_in_english(api, decided_justified, responsible, executor):
    due = timezone.localdate() + timedelta(days=3)
    with translation.override("ru"):
        measure_add(complaint=decided_justified, actor=responsible, description="Заменить упаковку",
                    executor=executor, due_date=due)
    response = api(responsible).get(url(decided_justified, "timeline"))
    assert response.status_code == 200, response.content
    with translation.override("en"):
        expected = f"Measure planned: Заменить упаковку — {executor}, due {date_text(due)}"
    assert [event["text"] for event in response.json() if event["kind"] == "measure"] == [expected]
