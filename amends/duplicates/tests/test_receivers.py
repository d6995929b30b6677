"""The search follows the lifecycle signals: queued, after commit, or left to the caller at
registration; again when an edit changes the wording or the contact."""

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from amends.complaints.services import complaint_update
from amends.core.queues import QUEUES
from amends.duplicates.models import DuplicateCandidate, TextSignature

from .samples import RU, RU_OTHER, RU_RESENT


def signed(complaint) -> bool:
    return TextSignature.objects.filter(complaint=complaint).exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}})
def test_a_channels_card_queues_the_search_in_its_transaction(register):
    complaint = register(RU, duplicates="queued")
    # Other apps queue their own work after registration too.
    queued = DBTaskResult.objects.get(task_path="amends.duplicates.tasks.check_duplicates_task")
    assert queued.args_kwargs["args"] == [complaint.pk] and not signed(complaint)


def test_the_operators_card_is_searched_once_committed(register, django_capture_on_commit_callbacks):
    first = register(RU)
    with django_capture_on_commit_callbacks() as callbacks:
        again = register(RU_RESENT, duplicates="now")
    assert not signed(again)  # not inside the card's transaction
    for callback in callbacks:
        callback()
    assert DuplicateCandidate.objects.filter(complaint=again, candidate=first).exists()


def test_a_caller_searches_itself(register, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = register(RU, duplicates="caller")
    assert not signed(complaint)


def test_an_edit_of_the_wording_searches_again_and_other_edits_do_not(register, qms):
    first = register(RU)
    card = register(RU_OTHER, check=False)
    card = complaint_update(complaint=card, actor=qms, changes={"project": "Склад"})
    assert not signed(card)
    complaint_update(complaint=card, actor=qms, changes={"wording": RU_RESENT})
    assert DuplicateCandidate.objects.filter(complaint=card, candidate=first).exists()
