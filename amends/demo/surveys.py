"""The demo's satisfaction surveys (issue 17): the customers of one closed card in three answer the
default questionnaire a few days after the closing, on paper, by phone, fax or e-mail, typed in by the
QMS head, so that the analysis' satisfaction dashboard, the outcomes' K chart and the yearly
statement's surveys section have figures to show. Delivery matters most and scores worst: the demo's
priority criterion.

Each answer goes through surveys.recording.response_record, which opens the follow-ups a low K or a
"would not recommend us" asks for; those of answers more than two weeks old were dealt with, so the
QMS head closes them, dated two days after the answer, and their notices are dated with the answer."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.choices import EventKind, State
from amends.complaints.models import Complaint, TimelineEvent
from amends.notifications.models import Notification
from amends.surveys.choices import FollowUpKind, OrganisationalMeasure, ResponseSource
from amends.surveys.followups import company_calendar, due_of, followup_close
from amends.surveys.models import FollowUp, Questionnaire, Response
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

EVERY = 3  # one closed card in three
ANSWERED_AFTER = timedelta(days=3)
DEALT_WITH_AFTER = timedelta(days=14)
SOURCES = (ResponseSource.PAPER, ResponseSource.PHONE, ResponseSource.EMAIL, ResponseSource.FAX)
# Per criterion key: the range of its scores and of its importance.
RANGES = {
    "reliability": ((6, 10), (7, 10)),
    "delivery": ((4, 9), (8, 10)),
    "courtesy": ((7, 10), (3, 7)),
    "handling": ((5, 10), (6, 9)),
}
SUGGESTIONS = (
    "Сообщайте заранее, если поставка задерживается.",
    "Хотелось бы получать ответ на претензию по электронной почте.",
    "Добавьте в комплект запасные предохранители.",
    "Менеджер был очень внимателен, спасибо.",
)


def survey_story(now: datetime, users: dict[str, User], seed: int) -> int:
    """Record the answers; returns how many."""
    questionnaire = Questionnaire.objects.order_by("pk").first()
    version = questionnaire.current_version() if questionnaire is not None else None
    if version is None:
        return 0
    criteria = list(version.criteria.order_by("order", "pk"))
    rng, qms = random.Random(seed + 30), users["qms"]
    cards = (Complaint.objects.filter(state=State.CLOSED, closed_at__lt=now - ANSWERED_AFTER, contact__isnull=False)
             .select_related("contact", "contact__organisation").order_by("closed_at", "pk"))
    made, started = 0, timezone.now()
    for card in list(cards)[::EVERY]:
        if card.contact is None or not card.contact.may_be_contacted:
            continue
        ratings = {}
        for criterion in criteria:
            scores, importances = RANGES.get(criterion.key, ((5, 10), (5, 10)))
            ratings[criterion.pk] = Rating(rng.randint(*scores), rng.randint(*importances))
        draw = rng.random()
        response = response_record(
            version=version, ratings=ratings, contact=card.contact, complaint=card, source=SOURCES[made % len(SOURCES)],
            language="ru", received_at=(card.closed_at or now) + ANSWERED_AFTER, entered_by=qms,
            recommends=None if draw < 0.1 else draw >= 0.25, continues=None if draw < 0.1 else draw >= 0.18,
            suggestion=rng.choice(SUGGESTIONS) if rng.random() < 0.2 else "",
        )
        _backdated(response, card, started)
        followups = list(FollowUp.objects.filter(response=response))
        if response.received_at < now - DEALT_WITH_AFTER:
            for followup in followups:
                _dealt_with(followup, response, qms)
        made += 1
    return made


def _backdated(response: Response, card: Complaint, since: datetime) -> None:
    """What recording stamped with the time it ran at, moved to the answer's moment: the response, its
    follow-ups (due as counted from the answer), their notices and the card's timeline entries of them."""
    moment = response.received_at
    Response.objects.filter(pk=response.pk).update(created_at=moment)
    rules = company_calendar()
    for followup in FollowUp.objects.filter(response=response):
        FollowUp.objects.filter(pk=followup.pk).update(opened_at=moment, due_at=due_of(followup.kind, moment, rules))
        Notification.objects.filter(key=f"survey_follow_up:{followup.pk}").update(created_at=moment)
    TimelineEvent.objects.filter(complaint=card, kind=EventKind.NOTIFICATION, created_at__gte=since).update(
        created_at=moment)


def _dealt_with(followup: FollowUp, response: Response, qms: User) -> None:
    if followup.kind == FollowUpKind.CALL_BACK:
        followup_close(followup, actor=qms, reason="Поставка задержалась, о переносе не предупредили.",
                       result="Извинились, согласовали новый график поставок.")
    else:
        followup_close(followup, actor=qms, measures=[OrganisationalMeasure.SALES_CONTROL])
    followup.refresh_from_db()
    closed = min(followup.due_at, response.received_at + timedelta(days=2))  # in time
    FollowUp.objects.filter(pk=followup.pk).update(closed_at=closed)
