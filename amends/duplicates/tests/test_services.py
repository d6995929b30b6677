import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.complaints.choices import Channel, EventKind, State
from amends.complaints.models import TimelineEvent
from amends.complaints.services import complaint_transition, complaint_update
from amends.core.errors import AccessDenied
from amends.customers.services import contact_create
from amends.duplicates.models import DuplicateCandidate, Reason, SignatureBand, TextSignature
from amends.duplicates.services import (
    DEFAULT_THRESHOLD,
    duplicate_dismiss,
    duplicates_check,
)
from amends.duplicates.signing import signatures_rebuild

from .conftest import days_ago
from .samples import EN, EN_OTHER, EN_RESENT, RU, RU_OTHER, RU_RESENT


def found(complaint) -> dict[str, DuplicateCandidate]:
    stored = DuplicateCandidate.objects.filter(complaint=complaint).select_related("candidate")
    return {c.candidate.number: c for c in stored}


@pytest.mark.parametrize(("original", "resent", "other"), [(RU, RU_RESENT, RU_OTHER), (EN, EN_RESENT, EN_OTHER)])
def test_a_similar_wording_from_another_channel_and_contact_is_stored_as_a_candidate(
    register, contact, other_contact, original, resent, other,
):
    first = register(original, channel=Channel.PHONE, contact=contact)
    unrelated = register(other, channel=Channel.PHONE, contact=contact)
    again = register(resent, channel=Channel.SOCIAL, contact=other_contact)

    candidates = found(again)
    assert set(candidates) == {first.number}
    assert candidates[first.number].reason == Reason.SIMILAR_TEXT
    assert candidates[first.number].score >= DEFAULT_THRESHOLD
    assert unrelated.number not in candidates
    again.refresh_from_db()
    assert again.state == State.REGISTERED  # only shown to the operator, not linked


def test_the_returned_candidates_are_the_stored_ones(register, contact, other_contact):
    first = register(RU, contact=contact)
    again = register(RU_RESENT, contact=other_contact, check=False)
    returned = duplicates_check(complaint=again)
    assert [c.candidate for c in returned] == [first]
    assert returned[0].pk == DuplicateCandidate.objects.get(complaint=again).pk


def test_the_same_contact_is_a_candidate_whatever_the_text(register, contact):
    first = register(RU_OTHER, contact=contact)
    # Another contact record for the same person: the same e-mail typed differently ...
    same_email = contact_create(full_name="И. Иванов", email="IVANOV@example.ru")
    # ... or the same phone with the trunk prefix 8.
    same_phone = contact_create(full_name="Иван", phone="8 912 345 67 89")
    by_email = register(EN, contact=same_email)
    by_phone = register("Совсем другая жалоба: не работает горячая линия.", contact=same_phone)

    for card in (by_email, by_phone):
        assert found(card)[first.number].reason == Reason.SAME_CONTACT
        assert found(card)[first.number].score < DEFAULT_THRESHOLD


def test_a_stranger_with_an_unrelated_text_is_not_a_candidate(register, contact, other_contact):
    register(RU, contact=contact)
    assert found(register(EN_OTHER, contact=other_contact)) == {}


def test_closed_cards_count_only_within_the_window_and_open_ones_always(register, contact, other_contact, qms):
    old_open = register(RU, contact=contact, received_at=days_ago(90))
    old_withdrawn = register(RU, contact=contact, received_at=days_ago(40))
    recent_withdrawn = register(RU, contact=contact, received_at=days_ago(10))
    for card in (old_withdrawn, recent_withdrawn):
        complaint_transition(complaint=card, name="withdraw", actor=qms, comment="Клиент отозвал.")

    candidates = found(register(RU_RESENT, contact=other_contact))

    assert old_open.number in candidates
    assert recent_withdrawn.number in candidates
    assert old_withdrawn.number not in candidates


def test_the_window_is_a_setting(register, contact, other_contact, qms, settings):
    settings.AMENDS_DUPLICATE_WINDOW_DAYS = 5
    withdrawn = register(RU, contact=contact, received_at=days_ago(10))
    complaint_transition(complaint=withdrawn, name="withdraw", actor=qms, comment="Отозвана.")
    assert withdrawn.number not in found(register(RU_RESENT, contact=other_contact))


def test_the_threshold_is_a_setting(register, contact, other_contact, settings):
    first = register(RU, contact=contact)
    settings.AMENDS_DUPLICATE_THRESHOLD = 0.99
    assert first.number not in found(register(RU_RESENT, contact=other_contact))


def test_cards_already_marked_duplicate_are_not_candidates(register, contact, other_contact, qms):
    original = register(EN_OTHER, contact=other_contact)
    marked = register(RU, contact=contact)
    complaint_transition(
        complaint=marked, name="mark_duplicate", actor=qms, data={"original_number": original.number},
    )
    assert marked.number not in found(register(RU_RESENT, contact=other_contact))


def test_the_same_contact_sending_the_same_text_within_a_day_is_linked_automatically(register, contact):
    original = register(RU, contact=contact, channel=Channel.PHONE, received_at=days_ago(0.5))
    # The customer sends it again through the web form: only case, spacing and punctuation differ.
    again = register(RU.upper().replace(",", "").replace(". ", ".\n\n"), contact=contact, channel=Channel.WEB_FORM)

    assert found(again)[original.number].reason == Reason.SAME_CONTACT_SAME_TEXT
    again.refresh_from_db()
    assert again.state == State.DUPLICATE
    assert again.duplicate_of == original
    event = TimelineEvent.objects.get(complaint=again, kind=EventKind.TRANSITION)
    assert event.actor is None and event.transition == "mark_duplicate"
    assert original.number in event.text
    original.refresh_from_db()
    assert original.state == State.REGISTERED


def test_the_same_text_links_to_the_first_card_of_the_day(register, contact):
    first = register(EN, contact=contact, received_at=days_ago(0.8))
    second = register(EN, contact=contact, received_at=days_ago(0.4), check=False)  # arrived unchecked
    third = register(EN, contact=contact)
    third.refresh_from_db()
    assert third.duplicate_of == first
    assert {first.number, second.number} <= set(found(third))


@pytest.mark.parametrize("case", ["after a day", "another contact", "another text", "earlier than the other"])
def test_no_automatic_link_without_same_contact_same_text_within_a_day(register, contact, other_contact, case):
    received = days_ago(1.5) if case == "after a day" else days_ago(0.2)
    first = register(RU, contact=contact, received_at=received)
    if case == "earlier than the other":
        # Registered late: the new card was received before the existing one, so it is the original.
        again = register(RU, contact=contact, received_at=days_ago(0.3))
    else:
        again = register(
            RU_RESENT if case == "another text" else RU,
            contact=other_contact if case == "another contact" else contact,
        )
    again.refresh_from_db()
    assert again.state == State.REGISTERED
    assert first.number in found(again)
    expected = {
        "after a day": Reason.SAME_CONTACT_SAME_TEXT, "another contact": Reason.SIMILAR_TEXT,
        "another text": Reason.SAME_CONTACT, "earlier than the other": Reason.SAME_CONTACT_SAME_TEXT,
    }
    assert found(again)[first.number].reason == expected[case]


def test_dismissing_records_the_decision_and_it_survives_a_new_check(register, contact, other_contact, operator):
    first = register(RU, contact=contact)
    again = register(RU_RESENT, contact=other_contact)
    candidate = DuplicateCandidate.objects.get(complaint=again, candidate=first)

    duplicate_dismiss(candidate=candidate, actor=operator)

    candidate.refresh_from_db()
    assert candidate.dismissed
    note = TimelineEvent.objects.get(complaint=again, kind=EventKind.NOTE)
    assert note.actor == operator and first.number in note.text
    duplicates_check(complaint=again)
    candidate.refresh_from_db()
    assert candidate.dismissed
    # Dismissing twice records nothing more.
    duplicate_dismiss(candidate=candidate, actor=operator)
    assert TimelineEvent.objects.filter(complaint=again, kind=EventKind.NOTE).count() == 1


def test_only_who_may_mark_the_card_a_duplicate_may_dismiss(register, contact, other_contact, make_user):
    from amends.accounts.roles import Role

    register(RU, contact=contact)
    again = register(RU_RESENT, contact=other_contact)
    stranger = make_user("operator2", Role.OPERATOR)  # did not register this card
    with pytest.raises(AccessDenied):
        duplicate_dismiss(candidate=DuplicateCandidate.objects.get(complaint=again), actor=stranger)
    assert not DuplicateCandidate.objects.get(complaint=again).dismissed


def test_a_new_check_after_the_wording_changed_drops_what_no_longer_matches(register, contact, other_contact, qms):
    first = register(RU, contact=contact)
    again = register(RU_RESENT, contact=other_contact)
    assert first.number in found(again)

    again = complaint_update(complaint=again, actor=qms, changes={"wording": EN_OTHER})
    duplicates_check(complaint=again)

    assert found(again) == {}
    assert TextSignature.objects.get(complaint=again).digest != TextSignature.objects.get(complaint=first).digest


def test_cards_registered_before_signatures_existed_are_signed_when_met(register, contact):
    first = register(RU, contact=contact)
    TextSignature.objects.filter(complaint=first).delete()
    SignatureBand.objects.filter(complaint=first).delete()
    # Found through the same contact, scored from its wording, and signed for next time.
    again = register(RU_RESENT, contact=contact)
    assert found(again)[first.number].score >= DEFAULT_THRESHOLD
    assert TextSignature.objects.filter(complaint=first).exists()


def test_signatures_rebuild_signs_the_cards_without_one(register, contact):
    cards = [register(text, contact=contact) for text in (RU, EN, RU_OTHER)]
    # As if they were registered before duplicate detection existed.
    SignatureBand.objects.all().delete()
    TextSignature.objects.all().delete()
    assert signatures_rebuild() == 3
    assert TextSignature.objects.filter(complaint__in=cards).count() == 3
    assert SignatureBand.objects.filter(complaint=cards[0]).count() > 0
    assert signatures_rebuild() == 0
    assert signatures_rebuild(only_missing=False) == 3


def test_the_check_reads_a_fixed_number_of_rows_whatever_the_number_of_cards(register, contact, other_contact):
    """Registration stays fast: the database narrows the search, other wordings are never re-read."""
    def queries_for_one_check(extra_cards: int) -> int:
        for i in range(extra_cards):
            register(f"Жалоба номер {i}: {'не работает ' * (i % 5 + 1)}{'лифт' if i % 2 else 'домофон'} "
                     f"в подъезде {'ab'[i % 2]}{i}, просим починить.", contact=other_contact, check=True)
        card = register(RU_RESENT, contact=None, check=False)
        with CaptureQueriesContext(connection) as queries:
            assert first.number in {c.candidate.number for c in duplicates_check(complaint=card)}
        return len(queries)

    first = register(RU, contact=contact, received_at=days_ago(3))
    assert queries_for_one_check(2) == queries_for_one_check(20)


@pytest.mark.parametrize("provisional_first", [False, True])
def test_a_provisional_contact_with_a_known_address_is_never_linked_automatically(
    register, contact, provisional_first,
):
    # A public submission's contact with the known customer's e-mail: suggested, never merged unasked.
    typed = contact_create(full_name="Кто-то", email=contact.email, provisional=True)
    first, second = (typed, contact) if provisional_first else (contact, typed)
    original = register(RU, contact=first, channel=Channel.WEB_FORM, received_at=days_ago(0.5))
    again = register(RU, contact=second, channel=Channel.WEB_FORM)
    assert found(again)[original.number].reason == Reason.SAME_CONTACT_SAME_TEXT
    again.refresh_from_db()
    assert again.state == State.REGISTERED and again.duplicate_of is None


# ---- a duplicate is the same customer's complaint; another customer's alike wording is only similar ----

def test_the_same_customer_sending_it_again_reworded_is_offered_as_a_duplicate(register, contact):
    first = register(RU, contact=contact, channel=Channel.PHONE, received_at=days_ago(2))
    again = register(RU_RESENT, contact=contact, channel=Channel.EMAIL)
    candidate = found(again)[first.number]
    assert candidate.is_duplicate and candidate.reason == Reason.SAME_CONTACT


@pytest.mark.parametrize("wording", [RU, RU_RESENT], ids=["the same template", "reworded"])
def test_another_customer_with_the_same_wording_is_a_similar_complaint_never_a_duplicate(
    register, contact, other_contact, wording,
):
    first = register(RU, contact=contact, received_at=days_ago(0.1))
    other = register(wording, contact=other_contact)  # within a day: would be linked if it were the same contact

    candidate = found(other)[first.number]
    assert candidate.reason == Reason.SIMILAR_TEXT and not candidate.is_duplicate
    assert candidate.score >= (0.99 if wording == RU else DEFAULT_THRESHOLD)
    other.refresh_from_db()
    assert other.state == State.REGISTERED and other.duplicate_of is None


def test_the_same_order_from_another_contact_is_offered_as_a_duplicate_whatever_the_text(
    register, contact, other_contact,
):
    first = register(RU_OTHER, contact=contact, order_reference="ORD-4512")
    short = register(EN, contact=contact, order_reference="12")
    again = register(EN_OTHER, contact=other_contact, order_reference=" ORD-4512 ")
    elsewhere = register(EN_OTHER, contact=other_contact, order_reference="12")

    assert found(again)[first.number].reason == Reason.SAME_ORDER and found(again)[first.number].is_duplicate
    assert short.number not in found(elsewhere)  # too short to name one order
    again.refresh_from_db()
    assert again.state == State.REGISTERED  # never linked automatically


def test_each_kind_keeps_its_own_places(register, contact, monkeypatch):
    from amends.duplicates import services

    monkeypatch.setattr(services, "MAX_CANDIDATES", 2)
    strangers = [register(RU, contact=contact_create(full_name=f"Customer {i}", phone=f"+1 555 010 000{i}"))
                 for i in range(3)]
    own = register(EN_OTHER, contact=contact)  # the customer's own card, its text unlike the new one
    card = register(RU_RESENT, contact=contact)
    kinds = [c.is_duplicate for c in duplicates_check(complaint=card)]
    assert kinds == [True, False, False]
    assert own.number in found(card) and len({s.number for s in strangers} & set(found(card))) == 2


def test_the_operators_draft_finds_both_kinds_and_writes_nothing(register, contact, other_contact):
    from amends.duplicates.services import draft_matches

    mine = register(RU, contact=contact, check=False)  # unsigned: signed in memory only
    theirs = register(RU, contact=other_contact)
    order = register(EN_OTHER, contact=other_contact, order_reference="ORD-77")
    rows = (TextSignature.objects.count(), SignatureBand.objects.count(), DuplicateCandidate.objects.count())

    with CaptureQueriesContext(connection) as queries:
        # A new customer's form filled with the known customer's e-mail, typed another way.
        matches = draft_matches(wording=RU_RESENT, email=" IVANOV@example.RU ", order_reference="ORD-77")

    by_number = {m.card.number: m for m in matches}
    assert contact.email == "ivanov@example.ru"
    assert by_number[mine.number].reason == Reason.SAME_CONTACT and by_number[mine.number].is_duplicate
    assert by_number[order.number].reason == Reason.SAME_ORDER
    assert by_number[theirs.number].reason == Reason.SIMILAR_TEXT and not by_number[theirs.number].is_duplicate
    assert [m.is_duplicate for m in matches] == [True, True, False]
    assert not [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert rows == (TextSignature.objects.count(), SignatureBand.objects.count(), DuplicateCandidate.objects.count())


def test_a_draft_without_a_customer_yet_finds_only_similar_complaints(register, contact):
    from amends.duplicates.services import draft_matches

    first = register(RU, contact=contact, order_reference="ORD-9")
    matches = draft_matches(wording=RU_RESENT)
    assert [(m.card.number, m.reason) for m in matches] == [(first.number, Reason.SIMILAR_TEXT)]
    assert draft_matches(wording=RU_RESENT, contact=contact)[0].reason == Reason.SAME_CONTACT
    # The order No. alone, before any text is typed.
    assert [(m.card.number, m.reason) for m in draft_matches(wording="", order_reference="ORD-9")] == [
        (first.number, Reason.SAME_ORDER),
    ]
    assert draft_matches(wording="") == []


def test_the_drafts_search_costs_the_same_statements_however_many_cards_it_finds(register, contact):
    from amends.duplicates.services import draft_matches

    def statements(extra: int) -> int:
        for i in range(extra):
            register(RU, contact=contact_create(full_name=f"Customer {i}", email=f"c{i}-{extra}@example.com"))
        with CaptureQueriesContext(connection) as queries:
            matches = draft_matches(wording=RU_RESENT, contact=contact, order_reference="ORD-1")
        assert len(matches) > extra
        return len(queries)

    register(RU_OTHER, contact=contact)
    assert statements(2) == statements(8)
