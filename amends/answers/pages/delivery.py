"""The card's "Send the answer" panel: the letter ready to send, the ways the customer can receive
it, what still stops it, and each delivery with its status."""

from django.utils.translation import gettext_lazy as _

from amends.complaints.access import ANSWER, can_write, is_writer
from amends.complaints.card_page import register_panel, register_transition_panel
from amends.complaints.models import Complaint
from amends.complaints.transitions import available_transitions
from amends.deadlines.choices import ClockKind
from amends.deadlines.models import Clock
from amends.intake.channels.web_form.tracking_page import register_tracking_part

from ..checks import letter_problems
from ..choices import FINAL_OUTCOMES, Outcome
from ..delivery import channels_offered
from ..forms.delivery import AnswerSendForm, PostedForm
from ..forms.letters import LetterDraftForm
from ..letters import card_language, card_letters_prefetch, latest_letter
from ..models import Delivery, DeliveryChannel, DeliveryStatus


def holding_reply_due(complaint: Complaint) -> Clock | None:
    """A card that needs an investigation (the 10-day clock) and has had no first response is
    offered a holding reply: the decision clock says by when the answer will come."""
    if not complaint.needs_investigation or not complaint.is_open:
        return None
    clocks = {clock.kind: clock for clock in Clock.objects.filter(complaint=complaint, stopped_at__isnull=True)}
    first = clocks.get(ClockKind.FIRST_RESPONSE)
    if first is None or first.met_at is not None:
        return None
    return clocks.get(ClockKind.DECISION)


def send_panel(request, complaint, bound) -> dict:
    can_send = can_write(request.user, complaint, ANSWER)
    card_letters_prefetch(complaint)
    # A closed card sends nothing more; its letters for post may still be marked as posted.
    letter = latest_letter(complaint) if can_send and complaint.is_open else None
    offers = channels_offered(complaint) if letter is not None else []
    problems = letter_problems(letter) if letter is not None else []
    deliveries = list(
        Delivery.objects.filter(letter__complaint=complaint).select_related("letter").order_by("-created_at", "-pk")
    )
    holding_due = holding_reply_due(complaint) if can_send else None
    return {
        "can_send": can_send,
        # The printable letter of a delivery by post is for those who send the answers (answers:post_pdf).
        "sends_answers": is_writer(request.user, complaint, ANSWER),
        "letter": letter,
        "offers": offers,
        "problems": problems,
        "blocked": any(not problem.overridable for problem in problems),
        "reason_needed": bool(problems),
        "send_form": bound.get("answer_send") or AnswerSendForm(offers=offers),
        "posted_form": bound.get("answer_posted") or PostedForm(),
        "deliveries": deliveries,
        "failed": DeliveryStatus.FAILED, "queued": DeliveryStatus.QUEUED, "post": DeliveryChannel.POST,
        "tracking": DeliveryChannel.TRACKING,
        "holding_due": holding_due,
        "holding_drafted": letter is not None and letter.outcome == Outcome.HOLDING,
        # The holding reply is drafted in one click: the letter panel's draft form, its fields given.
        "holding_prefix": LetterDraftForm.prefix, "holding_outcome": Outcome.HOLDING,
        # Read only when the holding reply is offered: the channel's language is a query of its own.
        "holding_language": card_language(complaint) if holding_due is not None else "",
        # The card's `answer` step is taken here (its button on the card links to this panel): until a
        # letter that decides the complaint is drafted, the panel says where to draft it.
        "needs_final_letter": (letter is None or letter.outcome not in FINAL_OUTCOMES) and can_send
        and any(t.name == "answer" for t in available_transitions(request.user, complaint)),
    }


def tracking_letters(complaint: Complaint, code: str) -> dict:
    """The letters that reached the customer, on any channel, each once (as it first left) with its PDF.
    A card answered by a letter shows its answer only so: the card's answer text is recorded when the
    letter is sent, before an e-mail or a letter for post has left."""
    deliveries = Delivery.objects.filter(
        letter__complaint=complaint, status=DeliveryStatus.SENT,
    ).select_related("letter").order_by("sent_at", "pk")
    first_by_letter: dict[int, Delivery] = {}
    for delivery in deliveries:
        first_by_letter.setdefault(delivery.letter_id, delivery)
    return {
        "number": complaint.number, "code": code, "deliveries": list(first_by_letter.values()),
        "replaces_answer": Delivery.objects.filter(letter__complaint=complaint, final=True).exists(),
    }


def register() -> None:
    register_panel("answer_send", "answers/send_panel.html", column="main", order=36, context=send_panel)
    register_transition_panel("answer", "answer-send", _("Send the answer"))
    register_tracking_part("answer_letters", "answers/tracking_letters.html", tracking_letters)

