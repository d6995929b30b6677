"""The demo's surveys (docs/surveys.md, "The demo's surveys"): on since 1 January of last year with the
default questionnaire, every answered or closed card since then got its post-resolution invitation,
and the current half-year's campaign went to the active customers. Everything goes through the
surveys' services — post_resolution_invite, campaign_create/campaign_start, invitations_send,
response_record, followup_close, norm_check — run at the time of loading, then moved back to the
moment planned for it. The answers are drawn from their own generator and planned before any is
recorded, so that the figures tell one story whatever the day: K mostly above 8, delivery times the
criterion that matters most and scores worst, a few "would not recommend us" with their call-backs,
and one segment of one quarter beyond the norm of customers who would not recommend us."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from fractions import Fraction
from typing import Any

from django.db.models import Q
from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.choices import EventKind, Origin, State
from amends.complaints.models import Complaint, TimelineEvent
from amends.customers.models import Contact, Organisation, OrganisationKind
from amends.deadlines.calendar import CalendarRules
from amends.notifications.models import Notification
from amends.privacy.anonymise import contact_anonymise
from amends.surveys.audience import active_customers
from amends.surveys.campaigns import campaign_create, campaign_start
from amends.surveys.choices import (
    CampaignKind,
    FollowUpKind,
    FollowUpState,
    InvitationState,
    OrganisationalMeasure,
    ResponseSource,
)
from amends.surveys.defaults import QUESTIONNAIRE, load_default_questionnaire
from amends.surveys.followups import company_calendar, due_of, followup_close, followups_escalate
from amends.surveys.models import (
    Campaign,
    Criterion,
    FollowUp,
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
)
from amends.surveys.models.policy import policy
from amends.surveys.norms import NORMS, RECOMMEND, Quarter, norm_check
from amends.surveys.periodic import half_year_key
from amends.surveys.questionnaires import policy_update
from amends.surveys.receivers import post_resolution_invite
from amends.surveys.recording import response_record, segment_of
from amends.surveys.scoring import Rating
from amends.surveys.sending import invitations_expire, invitations_send

from .texts import CITIES, RU

TEXTS = RU["surveys"]
STATE_FORMS, NONPROFIT_FORMS = ("МУП", "ГБУ"), ("ТСЖ",)
ANSWERED: dict[str, float] = {CampaignKind.POST_RESOLUTION: 0.6, CampaignKind.SEMIANNUAL: 0.65}
# (score low, high), (importance low, high) per criterion: most customers are content, delivery
# times matter most and score worst; an unhappy customer scores everything lower.
CONTENT = {"reliability": ((8, 10), (7, 10)), "delivery": ((6, 10), (8, 10)),
           "courtesy": ((8, 10), (4, 8)), "handling": ((8, 10), (6, 9))}
UNHAPPY = {"reliability": ((5, 8), (8, 10)), "delivery": ((3, 6), (9, 10)),
           "courtesy": ((6, 9), (4, 7)), "handling": ((4, 7), (7, 10))}


@dataclass
class Planned:
    """One answer to come: who, when, and what they say."""

    invitation: Invitation
    received_at: datetime
    ratings: dict[str, Rating] = field(default_factory=dict)
    recommends: bool | None = True
    continues: bool | None = True
    suggestion: str = ""
    source: str = ResponseSource.LINK
    segments: tuple[str, ...] = ()

    @property
    def k(self) -> Fraction:
        weighted = sum(r.score * r.importance for r in self.ratings.values())
        return Fraction(weighted, sum(r.importance for r in self.ratings.values()))

    @property
    def quarter(self) -> str:
        return Quarter.of(timezone.localdate(self.received_at)).key


def _morning(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour)))


def segments_set() -> None:
    """Each organisation's type (by its legal form) and region (the city of its address); a private
    customer's region from theirs: the segments of the satisfaction figures."""
    cities = sorted({city[0] for city in CITIES}, key=len, reverse=True)

    def region(address: str) -> str:
        return next((city for city in cities if city in address), "")

    for organisation in Organisation.objects.all():
        kind = (OrganisationKind.STATE if organisation.name.startswith(STATE_FORMS)
                else OrganisationKind.NONPROFIT if organisation.name.startswith(NONPROFIT_FORMS)
                else OrganisationKind.COMMERCIAL)
        Organisation.objects.filter(pk=organisation.pk).update(kind=kind, region=region(organisation.address))
    for contact in Contact.objects.filter(organisation__isnull=True):
        Contact.objects.filter(pk=contact.pk).update(region=region(contact.address))


class SurveyStory:
    def __init__(self, now: datetime, users: dict[str, User], seed: int) -> None:
        self.now, self.users, self.rng = now, users, random.Random(seed + 18)
        today = timezone.localdate(now)
        self.since = _morning(date(today.year - 1, 1, 1))
        half_start = date(today.year, 1 if today.month <= 6 else 7, 1)
        self.half_year = _morning(half_start, hour=1)  # the hourly job starts it on the first night
        self.dated: dict[int, datetime] = {}  # invitation pk: when it was made (and sent)
        self.sent: set[int] = set()
        self.loading = timezone.now()
        self.breach: tuple[str, str] | None = None  # the quarter and segment beyond the norm

    # ------------------------------------------------------------------ invitations
    def invite(self) -> None:
        # Made by a data migration; made again on a database emptied since (a flushed test database).
        load_default_questionnaire(Questionnaire, QuestionnaireVersion, Criterion)
        questionnaire = Questionnaire.objects.get(name=QUESTIONNAIRE["name"])
        policy_update(actor=self.users["admin"], post_resolution=questionnaire, periodic=questionnaire)
        segments_set()
        cards = Complaint.objects.filter(
            Q(answered_at__gte=self.since) | Q(answered_at=None, closed_at__gte=self.since),
            origin=Origin.EXTERNAL, contact__isnull=False, state__in=[State.ANSWERED, State.CLOSED],
        ).select_related("contact")
        events: list[tuple[datetime, str, Any]] = [
            (card.answered_at or card.closed_at or self.now, "card", card) for card in cards
        ]
        audience = list(active_customers(self.half_year))
        refused = self.rng.choice([c for c in audience if c.organisation_id is not None])
        erased = self.rng.choice([c for c in audience if c.organisation_id is None])
        events += [(self.half_year - timedelta(days=40), "refuse", refused),
                   (self.half_year - timedelta(days=20), "erase", erased),
                   (self.half_year, "semiannual", audience)]
        for moment, what, subject in sorted(events, key=lambda event: event[0]):
            if moment > self.now:
                continue
            if what == "card":
                self._post_resolution(subject, moment)
                continue
            self._send()
            if what == "refuse":
                Contact.objects.filter(pk=subject.pk).update(contact_refused_at=moment)
            elif what == "erase":
                contact_anonymise(subject)
                Contact.objects.filter(pk=subject.pk).update(erased_at=moment)
            else:
                self._semiannual(subject, moment)
        self._send()

    def _send(self) -> None:
        """Send what waits, as the worker did before the next change of a customer's consent; each is
        dated by `links_dated` once answered: a link's expiry in the past would refuse the answer."""
        waiting = [pk for pk in self.dated if pk not in self.sent]
        invitations_send()
        self.sent |= set(Invitation.objects.filter(pk__in=waiting, sent_at__isnull=False).values_list("pk", flat=True))

    def links_dated(self) -> None:
        valid = timedelta(days=policy().link_valid_days)
        for pk, moment in self.dated.items():
            if pk in self.sent:
                Invitation.objects.filter(pk=pk).update(created_at=moment, sent_at=moment, expires_at=moment + valid)
            else:
                Invitation.objects.filter(pk=pk).update(created_at=moment)

    def _post_resolution(self, card: Complaint, moment: datetime) -> None:
        invitation = post_resolution_invite(card, moment)
        if invitation is None:
            return
        campaign = invitation.campaign
        if campaign.created_at >= self.loading:
            Campaign.objects.filter(pk=campaign.pk).update(created_at=moment, started_at=moment)
            campaign.created_at = moment
        self.dated[invitation.pk] = moment + timedelta(minutes=self.rng.randint(3, 40))

    def _semiannual(self, audience: list[Contact], moment: datetime) -> None:
        questionnaire = policy().periodic
        assert questionnaire is not None
        version = questionnaire.current_version()
        assert version is not None
        campaign = campaign_create(
            kind=CampaignKind.SEMIANNUAL, version=version, actor=None, period=half_year_key(moment.date()),
            contacts=Contact.objects.filter(pk__in=[c.pk for c in audience]).order_by("pk"),
        )
        campaign_start(campaign, actor=None)
        Campaign.objects.filter(pk=campaign.pk).update(created_at=moment, started_at=moment)
        for pk in campaign.invitations.values_list("pk", flat=True):
            self.dated[pk] = moment + timedelta(minutes=30)
        self._send()

    # ------------------------------------------------------------------ answers
    def plan(self) -> list[Planned]:
        rng, now = self.rng, self.now
        invitations = list(
            Invitation.objects.filter(pk__in=self.sent).select_related("campaign", "contact__organisation",
                                                                        "complaint").order_by("pk")
        )
        invitations.sort(key=lambda invitation: self.dated[invitation.pk])
        valid = timedelta(days=policy().link_valid_days)
        planned: list[Planned] = []
        # The two latest: a call-back due today, a low K still within its days.
        latest = [i for i in invitations if i.contact.may_be_contacted][-2:]
        for invitation in invitations:
            sent = self.dated[invitation.pk]
            if invitation.contact.erased_at is not None:
                continue  # nothing is recorded for an erased customer, not even what they said before
            if invitation in latest:
                answered = (self._call_back_received(now, company_calendar()) if invitation is latest[-1]
                            else now - timedelta(hours=20))
                received = max(sent + timedelta(hours=1), answered)
                if received >= min(now, sent + valid):
                    continue
            elif rng.random() < ANSWERED[invitation.campaign.kind]:
                received = sent + timedelta(hours=rng.uniform(2, 24 * 12))
                if received >= min(now - timedelta(hours=1), sent + valid):
                    continue
            else:
                continue
            planned.append(self._draw(invitation, received, unhappy=len(latest) == 2 and invitation is latest[0]))
        if latest and planned and planned[-1].invitation is latest[-1]:
            planned[-1].recommends = False
        overdue = [p for p in planned if now - timedelta(days=40) < p.received_at < now - timedelta(days=12)]
        if overdue:
            chosen = overdue[len(overdue) // 2]
            chosen.ratings = self._ratings(UNHAPPY)
        self._norms_kept(planned)
        return planned

    def _ratings(self, profile: dict) -> dict[str, Rating]:
        rng = self.rng
        return {key: Rating(rng.randint(*score), rng.randint(*importance))
                for key, (score, importance) in profile.items()}

    def _draw(self, invitation: Invitation, received: datetime, *, unhappy: bool) -> Planned:
        rng = self.rng
        card = invitation.complaint if invitation.campaign.kind == CampaignKind.POST_RESOLUTION else None
        odds = 0.4 if card is not None and card.satisfaction is not None and card.satisfaction < 6 else 0.08
        planned = Planned(invitation, received, self._ratings(UNHAPPY if unhappy or rng.random() < odds else CONTENT))
        k = planned.k
        if k < 7:
            planned.recommends = rng.choices([False, None, True], [35, 15, 50])[0]
            planned.continues = rng.choices([False, None, True], [20, 20, 60])[0]
        else:
            planned.recommends = rng.choices([True, None], [88, 12])[0]
            planned.continues = rng.choices([True, None], [90, 10])[0]
        if rng.random() < 0.3:
            planned.suggestion = rng.choice(TEXTS["suggestions"])
        if rng.random() < 0.12:
            planned.source = rng.choice([ResponseSource.PHONE, ResponseSource.PAPER])
        segment = segment_of(invitation.contact, card)
        planned.segments = ("all",) + tuple(
            f"{prefix}:{segment[name]}" for prefix, name in
            (("kind", "organisation_kind"), ("region", "region"), ("product", "product_id")) if segment[name]
        )
        return planned

    def _norms_kept(self, planned: list[Planned]) -> None:
        """Within the norm everywhere but one segment of the current or the last quarter, the smallest
        with enough answers to be checked; a few more "would not recommend us" there breach it."""
        least, limit = policy().norm_min_responses, NORMS[RECOMMEND]

        def groups() -> dict[tuple[str, str], list[Planned]]:
            found: dict[tuple[str, str], list[Planned]] = {}
            for p in planned:
                for segment in p.segments:
                    found.setdefault((p.quarter, segment), []).append(p)
            return found

        def breached(rows: list[Planned]) -> bool:
            asked = [p for p in rows if p.recommends is not None]
            return len(rows) >= least and 100 * sum(p.recommends is False for p in asked) > limit * len(asked)

        for rows in groups().values():
            for p in sorted(rows, key=lambda p: -p.k):
                if not breached(rows):
                    break
                if p.recommends is False and p is not planned[-1]:
                    p.recommends = True
        today = timezone.localdate(self.now)
        recent = {Quarter.of(today).key, Quarter.of(today).previous().key}
        candidates = sorted(
            ((len(rows), key) for key, rows in groups().items()
             if key[0] in recent and key[1] != "all" and len(rows) >= least),
            key=lambda item: (item[0], item[1]),
        )
        for _count, key in candidates:
            rows = groups()[key]
            for p in sorted(rows, key=lambda p: p.k):
                if breached(rows):
                    break
                if p.recommends is False:
                    continue
                before = p.recommends
                p.recommends = False
                others = groups()
                if any(breached(others[(p.quarter, s)]) for s in p.segments if s != key[1]):
                    p.recommends = before
            if breached(rows):
                self.breach = key
                return

    def record(self, planned: list[Planned]) -> list[Response]:
        version = Questionnaire.objects.get(name=QUESTIONNAIRE["name"]).current_version()
        assert version is not None
        criteria = dict(version.criteria.values_list("key", "pk"))
        responses = []
        for p in planned:
            typed = p.source != ResponseSource.LINK
            response = response_record(
                version=version, ratings={criteria[key]: rating for key, rating in p.ratings.items()},
                source=p.source, language=p.invitation.language, invitation=p.invitation,
                recommends=p.recommends, continues=p.continues, suggestion=p.suggestion,
                entered_by=self.users["qms"] if typed else None, received_at=p.received_at,
            )
            Response.objects.filter(pk=response.pk).update(created_at=p.received_at)
            Invitation.objects.filter(pk=p.invitation.pk).update(opened_at=None if typed else p.received_at)
            responses.append(response)
        return responses

    @staticmethod
    def _call_back_received(now: datetime, rules: CalendarRules) -> datetime:
        """Three hours ago, unless the working day that fell in has ended since: then after its end, so
        that the call-back is still due (by the end of the next working day)."""
        received = now - timedelta(hours=3)
        day_end = due_of(FollowUpKind.CALL_BACK, received, rules)
        return received if day_end > now else day_end + (now - day_end) / 2

    # ------------------------------------------------------------------ follow-ups
    def follow_up(self, responses: list[Response]) -> None:
        rules, rng, now = company_calendar(), self.rng, self.now
        by_response = {response.pk: response for response in responses}
        followups = list(FollowUp.objects.filter(response__in=responses).order_by("response__received_at", "pk"))
        for followup in followups:
            opened = by_response[followup.response_id].received_at
            due = due_of(followup.kind, opened, rules)
            FollowUp.objects.filter(pk=followup.pk).update(opened_at=opened, due_at=due)
            Notification.objects.filter(key=f"survey_follow_up:{followup.pk}").update(created_at=opened)
            # The notice is in the card's timeline too.
            TimelineEvent.objects.filter(
                complaint=by_response[followup.response_id].complaint, kind=EventKind.NOTIFICATION,
                created_at__gte=self.loading,
            ).update(created_at=opened)
        low = [f for f in followups if f.kind == FollowUpKind.LOW_K]
        calls = [f for f in followups if f.kind == FollowUpKind.CALL_BACK]
        left_open = {f.pk for f in low[-1:] + calls[-1:]}
        overdue = [f for f in low if now - timedelta(days=40) < by_response[f.response_id].received_at
                   < now - timedelta(days=12)]
        left_open |= {f.pk for f in overdue[len(overdue) // 2:][:1]}
        for number, followup in enumerate(f for f in followups if f.pk not in left_open):
            followup = FollowUp.objects.get(pk=followup.pk)
            owner = followup.owner or self.users["qms"]
            closed = min(followup.opened_at + timedelta(hours=rng.uniform(2, 60)), now - timedelta(hours=1))
            if followup.kind == FollowUpKind.CALL_BACK:
                followup_close(followup, actor=owner, reason=TEXTS["call_back_reasons"][number % 4],
                               suggestion=TEXTS["call_back_suggestions"][number % 3],
                               result=TEXTS["call_back_results"][number % 3])
            else:
                measures = rng.sample(OrganisationalMeasure.values, rng.randint(1, 2))
                followup_close(followup, actor=owner, measures=measures, result=TEXTS["low_k_results"][number % 3])
            FollowUp.objects.filter(pk=followup.pk).update(closed_at=closed)
        since = timezone.now()
        jobs_ran = now - timedelta(minutes=20)
        invitations_expire(now)
        followups_escalate(now)
        norm_check(now)
        Notification.objects.filter(created_at__gte=since).update(created_at=jobs_ran)
        TimelineEvent.objects.filter(kind=EventKind.NOTIFICATION, created_at__gte=since).update(created_at=jobs_ran)
        FollowUp.objects.filter(escalated_at__gte=since).update(escalated_at=jobs_ran)

    def run(self) -> str:
        self.invite()
        planned = self.plan()
        responses = self.record(planned)
        self.links_dated()
        self.follow_up(responses)
        states = Counter(Invitation.objects.values_list("state", flat=True))
        open_ = FollowUp.objects.filter(state=FollowUpState.OPEN).count()
        beyond = " ".join(self.breach) if self.breach else "none"
        return (f"{Campaign.objects.count()} campaigns, {sum(states.values())} invitations "
                f"({states[InvitationState.ANSWERED]} answered, {states[InvitationState.EXPIRED]} expired), "
                f"{len(responses)} responses, {FollowUp.objects.count()} follow-ups ({open_} open), "
                f"beyond the norm of not recommending: {beyond}")


def surveys_story(now: datetime, users: dict[str, User], seed: int) -> str:
    return SurveyStory(now, users, seed).run()
