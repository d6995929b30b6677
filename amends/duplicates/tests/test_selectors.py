from amends.complaints.choices import State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_transition
from amends.duplicates.selectors import card_candidates, countable_complaints
from amends.duplicates.services import duplicate_dismiss

from .samples import EN, RU, RU_RESENT


def test_candidates_to_decide_leave_out_dismissed_ones_and_cards_since_marked_duplicate(
    register, contact, other_contact, operator, qms,
):
    ru_first = register(RU, contact=contact)
    en_first = register(EN, contact=contact)
    ru_second = register(RU_RESENT, contact=other_contact)
    # The first customer again: their two cards are possible duplicates, the other customer's a similar one.
    card = register(RU_RESENT, contact=contact)
    duplicates, similar = card_candidates(card)
    assert {c.candidate for c in duplicates} == {ru_first, en_first}
    assert [c.candidate for c in similar] == [ru_second]

    duplicate_dismiss(candidate=card.duplicate_candidates.get(candidate=en_first), actor=operator)
    complaint_transition(
        complaint=ru_second, name="mark_duplicate", actor=qms, data={"original_number": ru_first.number},
    )

    assert [[c.candidate for c in shown] for shown in card_candidates(card)] == [[ru_first], []]


def test_similar_complaints_of_other_customers_come_best_first_and_are_never_duplicates(
    register, contact, other_contact,
):
    first = register(RU, contact=contact)
    closer = register(RU_RESENT.replace("Здравствуйте! ", ""), contact=other_contact)
    card = register(RU_RESENT, contact=None)
    duplicates, similar = card_candidates(card)
    assert [c.candidate for c in similar] == [closer, first]
    assert similar[0].score > similar[1].score
    assert not duplicates


def test_statistics_leave_out_duplicates_but_count_repeat_complaints(register, contact, qms):
    original = register(RU, contact=contact)
    repeat = register(EN, contact=contact)  # the same customer, another complaint: counted
    duplicate = register(RU_RESENT, contact=contact)
    complaint_transition(
        complaint=duplicate, name="mark_duplicate", actor=qms, data={"original_number": original.number},
    )
    withdrawn = register("Прошу не рассматривать: ошибся адресом.", contact=contact)
    complaint_transition(complaint=withdrawn, name="withdraw", actor=qms, comment="Отозвана.")

    counted = countable_complaints(Complaint.objects.all())

    assert set(counted) == {original, repeat, withdrawn}
    assert not countable_complaints(Complaint.objects.filter(state=State.DUPLICATE)).exists()
    # It narrows any query it is given.
    assert set(countable_complaints(Complaint.objects.filter(contact=contact, channel="email"))) == set(counted)
