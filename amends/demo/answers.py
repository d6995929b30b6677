"""The answers app in the demo: the company's letterhead, and a few recent cards answered by letters
drafted from the templates and sent through the answers services (the tracking page, post marked
as posted), with compensation granted within the limits; one grant above the limit waits for the
head of the QMS; decided cards have letters drafted and ready to send.

Which cards and what is done to them is chosen from the plan without drawing from the demo's random
generator, so the rest of the demo stays what it was. The steps run inside the demo's history and
are moved back to their moments like every other step (`answers_backdate`)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from amends.accounts.models import User
from amends.answers.checks import letter_problems
from amends.answers.choices import GrantStatus, ReferenceKind
from amends.answers.compensation import compensation_grant
from amends.answers.delivery import answer_send, delivery_posted
from amends.answers.letters import letter_draft, letter_update
from amends.answers.models import (
    CompensationGrant,
    CompensationOption,
    Delivery,
    DeliveryChannel,
    LegalReference,
    Letter,
    Letterhead,
)
from amends.complaints.choices import Channel, EventKind, Justification, State
from amends.complaints.event_texts import iso_datetime
from amends.complaints.models import Complaint, TimelineEvent
from amends.core.dates import date_text
from amends.notifications.models import Notification

from .plan import Spec
from .steps import Step
from .texts import RU, USERS

ANSWERED_BY_LETTER = 6  # the newest answered cards whose answer went as a letter
DRAFTED = 2  # the newest decided cards with a letter ready to send
POST_FIRST = frozenset({Channel.LETTER, Channel.FAX, Channel.IN_PERSON})
STEPS = frozenset({"grant", "letter_draft", "letter_send", "letter_posted"})
# What the responsible person grants within their limit (data/ru.json "compensation")
GRANTED: dict[str, str] = {Justification.JUSTIFIED: "satisfied", Justification.PARTLY: "partly"}
# The department of the demo's login "responsible": the cards to show first are theirs.
DEMO_RESPONSIBLE = next(department for username, *_rest, department, _heads in USERS if username == "responsible")
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def letterhead_create() -> Letterhead:
    """The demo company as its letters name it (one row: an existing one is filled in)."""
    letterhead = Letterhead.objects.order_by("pk").first() or Letterhead()
    for field, value in RU["letterhead"].items():
        setattr(letterhead, field, value)
    letterhead.save()
    return letterhead


def _answerable(spec: Spec) -> bool:
    """A customer with a postal address: every element of a letter can be filled."""
    contact = spec.customer.contact
    return spec.channel != Channel.INTERNAL and contact is not None and bool(contact.address)


def answers_plan(specs: list[Spec]) -> dict[int, str]:
    """Which cards (by id of their spec) get a letter, and how: "tracking" or "post" (answered by a
    letter sent that way), "draft" (decided or resolved, a letter ready to send), "pending" (resolved, a grant
    above the limit waiting for approval, its letter drafted)."""
    newest = sorted((s for s in specs if _answerable(s)), key=lambda s: s.received_at, reverse=True)
    plan: dict[int, str] = {}
    answered = [s for s in newest if s.target == State.ANSWERED][:ANSWERED_BY_LETTER]
    for index, spec in enumerate(answered):
        plan[id(spec)] = "post" if spec.channel in POST_FIRST or index % 2 else "tracking"
    refused = [s for s in newest if s.target == State.DECIDED and s.justification == Justification.UNJUSTIFIED]
    refused.sort(key=lambda s: s.department != DEMO_RESPONSIBLE)  # the newest first among each
    for spec in refused[:DRAFTED]:
        plan[id(spec)] = "draft"
    resolved = sorted((s for s in newest if s.target == State.RESOLVED), key=lambda s: s.department != DEMO_RESPONSIBLE)
    if resolved:
        plan[id(resolved[0])] = "pending"
    if len(resolved) > 1:
        plan[id(resolved[1])] = "draft"
    return plan


def answer_steps(steps: list[Step], how: str, justification: str) -> list[Step]:
    """The card's steps with its answer given by letter: compensation granted first when the claim is
    (partly) satisfied, then the letter in place of the plain "answer" step (keeping its time)."""
    hour = timedelta(hours=1)
    kind = GRANTED.get(justification)
    grant = [Step("grant", hour, args={"kind": kind})] if kind else []
    if how == "pending":
        return [*steps, Step("grant", hour, args={"kind": "above_limit"}), Step("letter_draft", hour)]
    if how == "draft":
        return [*steps, *grant, Step("letter_draft", hour)]
    index = next(i for i, step in enumerate(steps) if step.name == "answer")
    send = Step("letter_send", steps[index].gap, args={"channel": how})
    letter = [*grant, send]
    if how == "post":
        letter.append(Step("letter_posted", timedelta(hours=20)))
    return [*steps[:index], *letter, *steps[index + 1:]]


def _reference(language: str) -> LegalReference | None:
    """A contract clause cited by a refusal, written in the letter's language."""
    for reference in LegalReference.objects.filter(is_active=True, kind=ReferenceKind.CONTRACT):
        if bool(CYRILLIC.search(reference.title)) == (language == "ru"):
            return reference
    return None


def _drafted(complaint: Complaint, actor: User, moment: datetime) -> Letter:
    """The letter of the card's outcome from its template; a refusal cites a contract clause. It is
    dated the day of its step, as its writer would have dated it then."""
    letter = letter_draft(complaint=complaint, actor=actor)
    references = []
    if complaint.justification == Justification.UNJUSTIFIED:
        reference = _reference(letter.language)
        if reference is not None:
            letter_update(
                letter=letter, actor=actor, subject=letter.subject, body=letter.body, references=[reference],
                enclosures=[], signed_by=letter.signed_by,
            )
            letter = letter_draft(complaint=complaint, actor=actor)  # the text cites it now
            references = [reference]
    with translation.override(letter.language):
        today, then = date_text(timezone.localdate()), date_text(timezone.localdate(moment))
    letter = letter_update(
        letter=letter, actor=actor, subject=letter.subject, body=letter.body.replace(today, then, 1),
        references=references, enclosures=[], signed_by=letter.signed_by,
    )
    blocking = [p.message for p in letter_problems(letter) if not p.overridable]
    if blocking and not complaint.compensations.filter(status=GrantStatus.PENDING).exists():
        raise ValueError(f"The demo's letter of {complaint.number} lacks: {blocking}")
    return letter


def answer_step(step: Step, complaint: Complaint, actor: User, moment: datetime) -> None:
    """Take one of the answers steps (STEPS) on the card, as `actor` (its responsible person)."""
    match step.name:
        case "grant":
            kind, value, method = RU["compensation"][step.args["kind"]]
            compensation_grant(
                complaint=complaint, actor=actor, option=CompensationOption.objects.get(kind=kind),
                value=Decimal(value), method=method,
                due_date=max(timezone.localdate(moment) + timedelta(days=7), timezone.localdate()),
            )
        case "letter_draft":
            _drafted(complaint, actor, moment)
        case "letter_send":
            letter = _drafted(complaint, actor, moment)
            problems = letter_problems(letter)
            answer_send(letter=letter, actor=actor, channel=step.args["channel"],
                        reason=RU["tone_reason"] if problems else "")
        case "letter_posted":
            delivery = Delivery.objects.get(letter__complaint=complaint, channel=DeliveryChannel.POST)
            delivery_posted(delivery=delivery, actor=actor, posted_on=timezone.localdate())
        case _:
            raise ValueError(step.name)


def answers_backdate(complaint_id: int, since: datetime, moment: datetime) -> None:
    """Move what an answers step wrote since `since` to `moment`: letters, grants, deliveries, and
    the time an answer left as its timeline entry tells it."""
    def moved(value: datetime | None) -> datetime | None:
        return moment if value is not None and value >= since else value

    for letter in Letter.objects.filter(complaint_id=complaint_id):
        Letter.objects.filter(pk=letter.pk).update(
            created_at=moved(letter.created_at), updated_at=moved(letter.updated_at), sent_at=moved(letter.sent_at),
        )
    for delivery in Delivery.objects.filter(letter__complaint_id=complaint_id):
        Delivery.objects.filter(pk=delivery.pk).update(
            created_at=moved(delivery.created_at), sent_at=moved(delivery.sent_at),
        )
    for grant in CompensationGrant.objects.filter(complaint_id=complaint_id):
        CompensationGrant.objects.filter(pk=grant.pk).update(
            granted_at=moved(grant.granted_at), decided_at=moved(grant.decided_at),
        )
    # Their rows were moved already (load.backdate): the time they left is read from their params.
    for event in TimelineEvent.objects.filter(complaint_id=complaint_id, kind=EventKind.ANSWER_SENT):
        params: dict[str, Any] = dict(event.params or {})
        left = datetime.fromisoformat(params["at"])
        if left < since:
            continue
        params["at"] = moment.isoformat()
        text = event.text.replace(iso_datetime(left.isoformat()), iso_datetime(params["at"]))
        TimelineEvent.objects.filter(pk=event.pk).update(params=params, text=text)


def notifications_backdate(since: datetime) -> None:
    """A grant waiting for approval notifies the QMS heads once the demo's history is committed (on
    commit): the notice and its timeline entry, written since `since`, are dated when the grant was
    made, by a callback queued after the grant's."""
    def backdate() -> None:
        for grant in CompensationGrant.objects.filter(status=GrantStatus.PENDING):
            Notification.objects.filter(key=f"compensation_pending:{grant.pk}").update(created_at=grant.granted_at)
            TimelineEvent.objects.filter(
                complaint_id=grant.complaint_id, kind=EventKind.NOTIFICATION, created_at__gte=since,
            ).update(created_at=grant.granted_at)

    transaction.on_commit(backdate)
