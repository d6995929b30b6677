"""Fixtures shared by every app's tests: one user per role and a registered complaint."""

import os
import shutil

import pytest
from django.contrib.auth.models import Group

from amends.accounts.models import User
from amends.accounts.roles import Role, create_role_groups
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.search.indexes import INDEXES


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; no test inherits another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request with another Accept-Language leaves its language active in the thread: every test
    starts in the site's default, whatever ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_policy_table():
    """A rolled-back test sends no signal that the deadline policies it cached are gone: forget them."""
    from amends.deadlines.policies import forget_policy_table

    forget_policy_table()
    yield
    forget_policy_table()


@pytest.fixture
def pdftotext() -> str:
    """poppler's pdftotext, which the PDF tests read pages back with: skipped where it is missing,
    a failure when AMENDS_REQUIRE_POPPLER is set (CI installs it, so a PDF test never skips there)."""
    found = shutil.which("pdftotext")
    if found:
        return found
    reason = "pdftotext is not installed (apt-get install poppler-utils) - the PDF tests read pages with it"
    if os.environ.get("AMENDS_REQUIRE_POPPLER"):
        pytest.fail(reason + "; AMENDS_REQUIRE_POPPLER is set, so this is an error", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def reference_data_restored(transactional_db):
    """For transactional tests: the flush after an earlier one removed what the data migrations
    made (role groups, causes, categories, the compensation catalogue, the letter templates and
    references, the stop-phrases, the default questionnaire and the survey settings' row); load it again.
    The flush empties the models' tables only: the search indexes, which no model holds, still name the
    earlier test's cards, whose keys the new cards take again, so they are emptied too."""
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.contrib.auth.models import Permission
    from django.db import connection

    from amends.answers.catalogue import load_catalogue
    from amends.answers.defaults import load_letter_defaults
    from amends.answers.models import CompensationLimit, CompensationOption, LegalReference, LetterTemplate, StopPhrase
    from amends.complaints.models import Category, Cause
    from amends.complaints.reference import load_reference_data
    from amends.deadlines.defaults import load_defaults
    from amends.deadlines.models import BusinessCalendar, DeadlinePolicy, EscalationStep, WorkingHours
    from amends.surveys.defaults import load_default_questionnaire
    from amends.surveys.models import Criterion, Questionnaire, QuestionnaireVersion, SurveyPolicy

    create_role_groups(Group, Permission)
    load_reference_data(Cause, Category)
    if not BusinessCalendar.objects.exists():
        load_defaults(BusinessCalendar, WorkingHours, DeadlinePolicy, EscalationStep)
    load_catalogue(CompensationOption, CompensationLimit)
    load_letter_defaults(LetterTemplate, LegalReference)
    if not StopPhrase.objects.exists():
        import_module("amends.answers.migrations.0003_tone_stopphrase").stop_phrases_seed(django_apps, None)
    load_default_questionnaire(Questionnaire, QuestionnaireVersion, Criterion)
    SurveyPolicy.objects.get_or_create(pk=1)
    with connection.cursor() as cursor:
        for index in INDEXES:
            cursor.execute(f"DELETE FROM {index.table}")


@pytest.fixture
def make_user(db):
    def make(username: str, *roles: str, **extra) -> User:
        user = User.objects.create_user(
            username=username, password="pw-" + username, first_name=username.title(), **extra
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    return make


@pytest.fixture
def operator(make_user):
    return make_user("operator", Role.OPERATOR)


@pytest.fixture
def responsible(make_user):
    return make_user("responsible", Role.RESPONSIBLE)


@pytest.fixture
def executor(make_user):
    return make_user("executor", Role.EXECUTOR)


@pytest.fixture
def qms(make_user):
    return make_user("qms", Role.QMS_HEAD)


@pytest.fixture
def manager(make_user):
    return make_user("manager", Role.MANAGER)


@pytest.fixture
def administrator(make_user):
    return make_user("admin", Role.ADMINISTRATOR, is_superuser=True, is_staff=True)


@pytest.fixture
def contact(db):
    return contact_create(
        full_name="Иванов Иван Иванович", phone="+7 (912) 345-67-89",
        email="ivanov@example.ru", organisation_name="ООО «Ромашка»",
    )


@pytest.fixture
def complaint(operator, contact):
    return complaint_register(
        actor=operator, channel=Channel.PHONE, contact=contact,
        wording="Доставка опоздала на три дня, курьер не перезвонил.",
    )


@pytest.fixture
def process_queued(db):
    """process_queued() does what the worker does with the messages stored for it (web form and API
    submissions, mail from the mailgate): each is registered, threaded, ignored or quarantined.
    Returns how many it took."""
    from amends.intake.queue import inbound_process_queued

    def run() -> int:
        total = 0
        while taken := inbound_process_queued():
            total += taken
        return total

    return run


@pytest.fixture
def at_once():
    """at_once(work, count) runs `work` in `count` threads released together, each with its own
    database connection, and returns what each returned; an error in any thread fails the test."""
    import threading

    from django.db import connection

    def run(work, count: int) -> list:
        barrier, results, errors, lock = threading.Barrier(count), [], [], threading.Lock()

        def thread_main() -> None:
            try:
                barrier.wait(timeout=30)
                value = work()
                with lock:
                    results.append(value)
            except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=thread_main) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a thread hung"
        if errors:
            raise errors[0]
        return results

    return run
