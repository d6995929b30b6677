"""Intake stays as fast with a million messages stored and sent as with none: the look-ups of a
source's reference (a Message-ID, a form's token, an update's ID) read the unique index, never the table,
and those of the mail sent read the cards' own messages, or the few not sent yet."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.complaints.choices import Channel
from amends.intake.channels.email.services import MAILGATE_SOURCE, email_store
from amends.intake.channels.web_form.services import web_form_submit
from amends.intake.models import InboundMessage
from amends.intake.services import inbound_store, inbound_store_numbered_once

MAIL = b"Message-ID: <lookup-1@example.ru>\r\nFrom: a@example.ru\r\nSubject: x\r\n\r\ntext\r\n"


def plan_of(sql: str) -> str:
    """SQLite's plan of a captured statement, on one line."""
    with connection.cursor() as cursor:
        return " ".join(str(row[-1]) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())


def test_a_new_message_is_stored_without_a_look_up(db, django_assert_num_queries):
    with django_assert_num_queries(3):  # the insert, in its savepoint
        receipt = email_store(raw=MAIL, source=MAILGATE_SOURCE)
    assert not receipt.replay and InboundMessage.objects.get().external_ref == "<lookup-1@example.ru>"


def test_a_repeated_or_reused_reference_is_still_told_apart(db):
    first = email_store(raw=MAIL, source=MAILGATE_SOURCE)
    again = email_store(raw=MAIL, source=MAILGATE_SOURCE)
    other = email_store(raw=MAIL.replace(b"text", b"another text"), source=MAILGATE_SOURCE)
    assert again.replay and again.message.pk == first.message.pk
    assert not other.replay and other.message.external_ref.startswith("<lookup-1@example.ru> sha256:")
    assert InboundMessage.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner: a partial index needs its condition")
def test_every_look_up_by_reference_reads_the_unique_index(db):
    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):  # stored, then a replay of each
            email_store(raw=MAIL, source=MAILGATE_SOURCE)
            email_store(raw=MAIL.replace(b"text", b"another text"), source=MAILGATE_SOURCE)
            inbound_store(channel=Channel.EMAIL, source="test:box", raw=b"raw", external_ref="update-7")
            inbound_store_numbered_once(channel=Channel.WEB_FORM, source="test:form", raw=b"{}", external_ref="key-7")
            web_form_submit(data={}, consent_text="", attachments=[], language="en", form_token="token-7")
    reads = [query["sql"] for query in captured.captured_queries
             if query["sql"].startswith("SELECT") and '"intake_inboundmessage"' in query["sql"]]
    assert len(reads) >= 7
    for sql in reads:
        assert "SCAN intake_inboundmessage" not in plan_of(sql), (sql, plan_of(sql))


def test_a_new_form_looks_its_token_up_once(db):
    with CaptureQueriesContext(connection) as captured:
        web_form_submit(data={}, consent_text="", attachments=[], language="en", form_token="token-8")
    reads = [query["sql"] for query in captured.captured_queries
             if query["sql"].startswith("SELECT") and '"intake_inboundmessage"' in query["sql"]]
    assert len(reads) == 1 and "token-8" in reads[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner, without statistics")
def test_the_acknowledgements_find_their_cards_mail_by_the_cards_index(db):
    """Which e-mail a job's acknowledgements answer: read by the cards' index, not by the state's,
    which holds every registered message (the planner took it for a job's 20 cards)."""
    from amends.intake.outbound import customers_last_message_ids

    with CaptureQueriesContext(connection) as captured:
        customers_last_message_ids(list(range(1, 21)))
    (sql,) = [query["sql"] for query in captured.captured_queries]
    plan = plan_of(sql)
    assert "intake_inboundmessage_complaint_id" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner, without statistics")
def test_a_job_s_acknowledgements_check_their_own_cards_only(db):
    """Whether a job's cards were acknowledged already: read by the cards' index, not by the purpose's,
    which holds every acknowledgement sent."""
    from amends.complaints.models import Complaint
    from amends.intake.acknowledge import acknowledge_many

    cards_without_address = [(Complaint(pk=pk), "ru") for pk in range(1, 21)]
    with CaptureQueriesContext(connection) as captured:
        assert acknowledge_many(cards_without_address, connection=None) == 0
    (sql,) = [query["sql"] for query in captured.captured_queries if '"intake_outboundmessage"' in query["sql"]]
    plan = plan_of(sql)
    assert "intake_outboundmessage_complaint_id" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner: a partial index needs its condition")
def test_the_retry_job_reads_the_unsent_messages_only(db):
    from amends.intake.outbound import outbound_retry_failed

    with CaptureQueriesContext(connection) as captured:
        assert outbound_retry_failed() == 0
    (sql,) = [query["sql"] for query in captured.captured_queries if '"intake_outboundmessage"' in query["sql"]]
    plan = plan_of(sql)
    assert "USING INDEX outbound_unsent" in plan, plan
