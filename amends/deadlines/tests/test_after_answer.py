"""My deadlines lists the cards whose customer wrote after the answer: to their responsible person,
and every one to the heads of the QMS, until someone reopens the card or keeps it closed."""

from bs4 import BeautifulSoup
from django.urls import reverse

from amends.complaints.choices import State
from amends.complaints.services import complaint_add_message, complaint_keep_closed, complaint_transition
from amends.deadlines.selectors import my_messages_after_answer


def flagged_rows(client, user) -> list[str]:
    client.force_login(user)
    html = BeautifulSoup(client.get(reverse("deadlines:mine")).content, "html.parser")
    return [row["data-complaint"] for row in html.select("#messages-after-answer tr.message-after-answer")]


def test_the_responsible_person_and_the_qms_heads_see_the_customers_message(
    client, walk, register, qms, responsible, executor, make_user,
):
    mine = walk(None, State.CLOSED)
    answered = walk(None, State.ANSWERED)
    quiet = walk(None, State.CLOSED)
    others = walk(register(), State.ASSIGNED)
    someone_else = make_user("responsible2", "responsible")
    others = complaint_transition(complaint=others, name="assign", actor=qms, data={"responsible": someone_else})
    for card in (mine, answered, others):
        complaint_add_message(complaint=card, incoming=True, text="Это снова я")

    # Only `others` is still open: a message before the answer is not "after the answer".
    assert flagged_rows(client, responsible) == [mine.number, answered.number]
    assert flagged_rows(client, qms) == [mine.number, answered.number]
    assert flagged_rows(client, someone_else) == []
    assert flagged_rows(client, executor) == []
    assert quiet.number not in flagged_rows(client, qms)

    complaint_keep_closed(complaint=mine, actor=responsible, text="Ответили по телефону")
    complaint_transition(complaint=answered, name="reopen_for_message", actor=qms, comment="Снова")
    assert flagged_rows(client, responsible) == []
    assert list(my_messages_after_answer(qms)) == []


def test_the_qms_head_sees_the_message_on_a_card_of_another_responsible_person(client, walk, qms, make_user):
    card = walk(None, State.CLOSED)
    someone_else = make_user("responsible2", "responsible")
    complaint_add_message(complaint=card, incoming=True, text="Не помогло")
    assert flagged_rows(client, qms) == [card.number]
    assert flagged_rows(client, someone_else) == []
