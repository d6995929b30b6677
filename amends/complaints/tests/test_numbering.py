"""Complaint numbers: one sequence per year, no gaps or repeats under concurrent registration."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.choices import Channel
from amends.complaints.choices import State as S
from amends.complaints.models import Complaint, NumberSequence
from amends.complaints.services import complaint_register, complaint_transition

THREADS = 8
PER_THREAD = 10
MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers(settings, reference_data_restored, make_user):
    settings.TIME_ZONE = "Europe/Moscow"
    operators = [make_user(f"op{i}", Role.OPERATOR) for i in range(THREADS)]
    received = datetime(2025, 6, 1, 12, 0, tzinfo=MSK)
    barrier = threading.Barrier(THREADS)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(user_pk: int) -> None:
        try:
            actor = User.objects.get(pk=user_pk)
            actor.roles  # noqa: B018 - load the roles before the race starts
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                complaint = complaint_register(
                    actor=actor, channel=Channel.PHONE, received_at=received,
                    wording=f"Жалоба {user_pk}-{i}",
                )
                with lock:
                    numbers.append(complaint.number)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u.pk,)) for u in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a registration thread hung"
    assert errors == []

    total = THREADS * PER_THREAD
    assert len(numbers) == total
    assert sorted(numbers) == [f"2025-{n:06d}" for n in range(1, total + 1)]
    assert Complaint.objects.count() == total
    assert sorted(Complaint.objects.values_list("number", flat=True)) == sorted(numbers)
    assert NumberSequence.objects.get(year=2025).last == total


def test_numbers_restart_each_year(operator):
    def register(year, month=6):
        return complaint_register(
            actor=operator, channel=Channel.EMAIL, wording=f"Жалоба {year}",
            received_at=datetime(year, month, 1, 12, 0, tzinfo=MSK),
        ).number

    assert register(2024) == "2024-000001"
    assert register(2024) == "2024-000002"
    assert register(2025) == "2025-000001"
    # A late registration of last year's complaint continues last year's sequence.
    assert register(2024, 12) == "2024-000003"
    assert register(2025) == "2025-000002"
    assert dict(NumberSequence.objects.values_list("year", "last")) == {2024: 3, 2025: 2}


def test_a_number_is_never_reused(operator, qms):
    first = complaint_register(actor=operator, channel=Channel.PHONE, wording="Первая")
    complaint_transition(complaint=first, name="withdraw", actor=qms, comment="Ошибка")
    second = complaint_register(actor=operator, channel=Channel.PHONE, wording="Вторая")
    complaint_transition(complaint=second, name="mark_duplicate", actor=qms,
                         data={"original_number": first.number})
    third = complaint_register(actor=operator, channel=Channel.PHONE, wording="Третья")
    year = timezone.localtime(third.received_at).year
    assert Complaint.objects.get(pk=first.pk).state == S.WITHDRAWN
    assert [first.number, second.number, third.number] == [
        f"{year}-000001", f"{year}-000002", f"{year}-000003",
    ]
