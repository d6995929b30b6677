import pytest
from django.db import transaction

from amends.core.pauses import on_pause, pause_off, pause_point


@pytest.fixture
def calls():
    seen: list[str] = []

    def handler() -> None:
        seen.append("ran")
        pause_point()  # the work run at a pause point pausing itself: not run again inside

    on_pause(handler)
    on_pause(handler)  # registered once however often
    yield seen
    pause_off(handler)


@pytest.mark.django_db(transaction=True)
def test_the_registered_work_runs_at_a_pause_point_outside_transactions_only(calls):
    pause_point()
    assert calls == ["ran"]
    with transaction.atomic():
        pause_point()
    assert calls == ["ran"]


def test_a_handler_taken_off_runs_no_more():
    seen: list[int] = []

    def handler() -> None:
        seen.append(1)

    on_pause(handler)
    pause_off(handler)
    pause_point()
    assert seen == []
