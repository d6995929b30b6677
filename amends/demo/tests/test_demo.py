"""`amends demo`: run once for the module (it takes a few seconds), then check what it made."""

import ast
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models, transaction
from django.test import TestCase
from django.utils import timezone, translation

from amends.accounts.models import Department, User
from amends.accounts.roles import Role
from amends.answers.checks import letter_problems
from amends.answers.choices import GrantStatus
from amends.answers.models import CompensationGrant, Delivery, DeliveryChannel, DeliveryStatus, Letter, Letterhead
from amends.complaints.choices import (
    CauseKind,
    Channel,
    EventKind,
    Importance,
    Justification,
    State,
)
from amends.complaints.models import Category, Complaint, Measure, TimelineEvent
from amends.core.dates import date_text
from amends.customers.models import Contact, Organisation
from amends.deadlines.choices import ClockKind
from amends.deadlines.models import RUNNING, Clock
from amends.demo.company import PASSWORD
from amends.demo.steps import LONGEST_MEASURE_DAYS
from amends.demo.texts import NOTES
from amends.duplicates.models import DuplicateCandidate
from amends.notifications.models import Notification

pytestmark = pytest.mark.django_db

ROLE_USERS = {
    "operator": Role.OPERATOR, "responsible": Role.RESPONSIBLE, "executor": Role.EXECUTOR,
    "qms": Role.QMS_HEAD, "manager": Role.MANAGER, "admin": Role.ADMINISTRATOR,
}


LOAD: dict[str, object] = {}  # when the module's demo load started and finished


@pytest.fixture(scope="module", autouse=True)
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once; everything is rolled back when the module's tests are done."""
    translation.activate(settings.LANGUAGE_CODE)  # the demo's texts as loaded, whatever language the last test left
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        LOAD["started"] = timezone.now()
        # The demo's history commits in chunks; here inside one transaction, so what waits for the
        # commit (the notice of a grant to approve) runs as the load ends.
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("demo", stdout=out)
        LOAD["finished"] = timezone.now()
        yield out.getvalue()
        transaction.set_rollback(True)


def test_prints_the_time_taken_and_the_counts(demo_output):
    assert "Demo loaded in" in demo_output
    assert "310 complaints" in demo_output  # 300 drawn, and the 10 of the battery story (demo/capa.py)
    from amends.capa.models import NormBreach

    assert f"CAPA: 3 nonconformities, {NormBreach.objects.count()} norm breaches" in demo_output


def test_one_user_per_role_with_the_demo_password():
    for username, role in ROLE_USERS.items():
        user = User.objects.get(username=username)
        assert user.check_password(PASSWORD), username
        assert user.has_role(role), username
        assert user.get_full_name() and user.position, username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.groups.filter(name=Role.ADMINISTRATOR).exists()
    # More responsible persons and executors, so that the work is spread.
    for username in ("responsible2", "executor2"):
        assert User.objects.get(username=username).check_password(PASSWORD)
    assert User.objects.filter(groups__name=Role.RESPONSIBLE).count() >= 3
    assert User.objects.filter(groups__name=Role.EXECUTOR).count() >= 3


def test_departments_with_heads_and_translations():
    departments = Department.objects.all()
    assert departments.count() >= 6
    for department in departments:
        assert department.head is not None and department.name_en and department.name_hy


def test_customers():
    assert 35 <= Organisation.objects.count() <= 45
    assert 70 <= Contact.objects.count() <= 90
    private = Contact.objects.filter(organisation__isnull=True)
    assert private.exists()
    assert all(c.phone.startswith("+7") and "@" in c.email for c in Contact.objects.filter(erased_at=None))


def test_about_300_complaints_over_18_months():
    assert 280 <= Complaint.objects.count() <= 320
    now = timezone.now()
    oldest = Complaint.objects.order_by("received_at").first().received_at
    newest = Complaint.objects.order_by("-received_at").first().received_at
    assert now - timedelta(days=570) < oldest < now - timedelta(days=480)
    assert now - timedelta(days=3) < newest < now


def test_every_state_channel_category_and_classification_is_represented():
    complaints = Complaint.objects.all()
    assert set(complaints.values_list("state", flat=True)) == set(State.values)
    assert set(complaints.values_list("channel", flat=True)) == set(Channel.values)
    assert set(complaints.values_list("importance", flat=True)) == set(Importance.values)
    assert set(complaints.values_list("justification", flat=True)) >= set(Justification.values)
    assert set(complaints.values_list("cause__kind", flat=True)) >= set(CauseKind.values)
    leaves = set(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    assert set(complaints.values_list("category", flat=True)) == leaves
    closed = complaints.filter(state=State.CLOSED).count()
    assert closed > complaints.count() / 2
    internal = complaints.filter(channel=Channel.INTERNAL)
    assert all(c.origin == "internal" and c.department_concerned_id for c in internal)


def test_every_card_has_a_real_timeline():
    now = timezone.now()
    events = {}
    for event in TimelineEvent.objects.order_by("created_at", "pk"):
        events.setdefault(event.complaint_id, []).append(event)
    for complaint in Complaint.objects.all():
        timeline = events[complaint.pk]
        assert timeline[0].kind == EventKind.REGISTERED, complaint.number
        moments = [e.created_at for e in timeline]
        assert complaint.received_at <= moments[0] and moments[-1] <= now, complaint.number
        transitions = [e for e in timeline if e.kind == EventKind.TRANSITION]
        if complaint.state == State.REGISTERED:
            assert not transitions
            continue
        # The last recorded step led to the state the card is in.
        assert transitions and transitions[-1].to_state == complaint.state, complaint.number
        if complaint.state not in (State.ASSIGNED, State.DUPLICATE, State.WITHDRAWN):
            names = [e.transition for e in transitions]
            assert names[:2] == ["assign", "investigate"], complaint.number


def test_timestamps_are_spread_in_time_not_all_now():
    days = {e.created_at.date() for e in TimelineEvent.objects.all()}
    assert len(days) > 200


def test_measures_of_finished_cards_are_approved_and_reported():
    finished = Measure.objects.filter(
        complaint__state__in=[State.RESOLVED, State.ANSWERED, State.CLOSED]
    )
    assert finished.exists()
    for measure in finished.select_related("complaint"):
        assert measure.approved_at and measure.done_at and measure.report
        assert measure.created_at >= measure.complaint.received_at
        assert measure.due_date >= timezone.localdate(measure.created_at)
    closed_justified = Complaint.objects.filter(
        state=State.CLOSED, justification=Justification.JUSTIFIED
    )
    assert all(c.measures.exists() for c in closed_justified)


def test_if_empty_does_nothing_when_complaints_exist():
    before = (Complaint.objects.count(), TimelineEvent.objects.count(), User.objects.count())
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    after = (Complaint.objects.count(), TimelineEvent.objects.count(), User.objects.count())
    assert after == before


def test_the_demo_sets_its_dates_itself_without_a_test_library():
    """time-machine is a test library, not installed in production: the demo does not use it."""
    for path in Path(__file__).resolve().parents[1].rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "time_machine" for name in names), path


def test_no_row_of_a_card_keeps_the_time_it_was_loaded_at():
    """Every stamp the services wrote was moved back to the moment its step belongs to."""
    computed = {(Clock, "at_risk_at"), (Clock, "due_at"), (Clock, "escalate_at")}  # from started_at
    related = [Complaint] + [rel.related_model for rel in Complaint._meta.related_objects]
    checked = 0
    for model in related:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and (model, field.name) not in computed:
                during = model.objects.filter(**{f"{field.name}__range": (LOAD["started"], LOAD["finished"])})
                assert not during.exists(), f"{model.__name__}.{field.name}"
                checked += 1
    assert checked >= 10


def test_dates_follow_the_steps_that_set_them():
    for complaint in Complaint.objects.filter(opinion_date__isnull=False):
        decided = complaint.events.filter(transition="decide").last()
        assert complaint.opinion_date == timezone.localdate(decided.created_at), complaint.number
    for measure in Measure.objects.select_related("complaint"):
        planned = timezone.localdate(measure.created_at)
        # Two weeks at most, or the time its executor needs (steps.LONGEST_MEASURE_DAYS at most).
        assert planned + timedelta(days=2) <= measure.due_date <= planned + timedelta(days=LONGEST_MEASURE_DAYS)
        assert measure.complaint.events.filter(
            kind=EventKind.MEASURE, text__contains=date_text(measure.due_date),
        ).exists(), measure.complaint.number
    for card in Complaint.objects.filter(state__in=[State.ANSWERED, State.CLOSED]):
        assert card.received_at < card.answered_at <= (card.closed_at or card.answered_at) < LOAD["started"]


def test_clocks_ran_in_the_past_and_some_are_breached():
    now = LOAD["started"]
    for clock in Clock.objects.exclude(met_at=None):
        assert clock.started_at <= clock.met_at < now
    for clock in Clock.objects.exclude(stopped_at=None):
        assert clock.started_at <= clock.stopped_at < now
    running = Clock.objects.filter(RUNNING, complaint__state__in=[State.REGISTERED, State.ASSIGNED])
    assert running.filter(due_at__lt=now).exists()


def test_duplicates_are_searched_as_each_card_is_registered():
    """Each card is compared with the cards registered before it, not with its whole batch after the
    batch's commit. The fixed seed gives about a hundred candidates, 98 or 99 by the time of day the
    history ends (a card drawn for "today" after that time moves to yesterday and the plan reorders)."""
    candidates = DuplicateCandidate.objects.all()
    assert 95 <= candidates.count() <= 105
    assert all(c.candidate_id < c.complaint_id for c in candidates)
    assert not DuplicateCandidate.objects.filter(created_at__range=(LOAD["started"], LOAD["finished"])).exists()


WRITTEN = [Channel.EMAIL, Channel.WEB_FORM, Channel.LETTER, Channel.FAX, Channel.MESSENGER, Channel.SOCIAL]


def test_a_written_complaint_is_first_answered_by_a_logged_call():
    handled = Complaint.objects.filter(channel__in=WRITTEN).exclude(state__in=[State.REGISTERED, State.DUPLICATE])
    assert handled.count() > 100
    for card in handled:
        calls = card.events.filter(kind=EventKind.CALL)
        assert calls.exists(), card.number
        clock = card.clocks.get(kind=ClockKind.FIRST_RESPONSE)
        assert clock.met_at == calls.earliest("created_at").created_at, card.number
    # What the people record about talking to the customer is a call, never a note.
    calls = [text for kind, text in NOTES if kind == "call"]
    assert TimelineEvent.objects.filter(kind=EventKind.CALL, text__in=calls).exists()
    assert not TimelineEvent.objects.filter(kind=EventKind.NOTE, text__in=calls).exists()


def test_the_first_response_deadlines_look_like_a_real_department():
    met = Clock.objects.filter(kind=ClockKind.FIRST_RESPONSE, met_by_registration=False).exclude(met_at=None)
    on_time = met.filter(met_at__lte=models.F("due_at")).count()
    assert 0.7 < on_time / met.count() < 0.95


def test_recent_answers_went_as_letters_through_the_answers_app():
    """The letterhead is filled; recent cards were answered by letters sent on the tracking page and by
    post (marked as posted), each on the timeline at the time it left; compensation within the limits
    is on them, one grant waits for the QMS head (notified), and a decided card has a letter ready."""
    letterhead = Letterhead.objects.get()
    assert letterhead.name and letterhead.registration and letterhead.address and letterhead.email
    sent = Delivery.objects.filter(status=DeliveryStatus.SENT).select_related("letter__complaint")
    assert {d.channel for d in sent} >= {DeliveryChannel.TRACKING, DeliveryChannel.POST}
    for delivery in sent:
        card = delivery.letter.complaint
        assert card.state in (State.ANSWERED, State.CLOSED), card.number
        assert delivery.created_at <= delivery.sent_at < LOAD["started"], card.number
        event = card.events.get(kind=EventKind.ANSWER_SENT)
        assert event.created_at == delivery.sent_at and datetime.fromisoformat(event.params["at"]) == delivery.sent_at
        assert not letter_problems(delivery.letter) or delivery.letter.tone_reason, card.number
    approved = CompensationGrant.objects.filter(status=GrantStatus.APPROVED)
    assert approved.count() >= 3 and all(g.granted_at < LOAD["started"] for g in approved)
    pending = CompensationGrant.objects.get(status=GrantStatus.PENDING)
    notice = Notification.objects.get(kind="compensation_pending", user__username="qms")
    assert notice.complaint_id == pending.complaint_id and notice.created_at == pending.granted_at
    ready = Letter.objects.filter(sent_at=None, complaint__state=State.DECIDED)
    assert ready.exists()
    assert all(p.overridable for letter in ready for p in letter_problems(letter))


# ---------------------------------------------------------------------------- the CAPA story (demo/capa.py)

def _battery_supplier():
    from amends.customers.models import Supplier
    from amends.demo.capa import BATTERY_SUPPLIER
    from amends.demo.texts import SUPPLIERS

    return Supplier.objects.get(name=SUPPLIERS[BATTERY_SUPPLIER][0])


def _counted_of(supplier, since=None, until=None, justified=False):
    """The supplier's cards counted, by plain filters (not the capa app's selectors)."""
    cards = Complaint.objects.exclude(state__in=[State.DUPLICATE, State.WITHDRAWN]).filter(
        models.Q(supplier=supplier) | models.Q(supplier=None, component__supplier=supplier),
    )
    if justified:
        cards = cards.filter(justification__in=[Justification.JUSTIFIED, Justification.PARTLY],
                             cause__kind=CauseKind.SUPPLIER)
    if since is not None:
        cards = cards.filter(received_at__gte=since)
    if until is not None:
        cards = cards.filter(received_at__lt=until)
    return cards


def _battery_record():
    from amends.capa.models import Nonconformity

    return Nonconformity.objects.get(supplier=_battery_supplier())


def test_the_battery_supplier_is_over_its_norm_and_flagged_the_others_are_not():
    from amends.capa.models import NormBreach
    from amends.capa.norms import breach_key, flagged_suppliers, norm_status
    from amends.capa.periods import period_of

    battery = _battery_supplier()
    record = _battery_record()
    period = period_of("year", timezone.localdate(record.opened_at))
    start, end = period.bounds()
    rows = {row.supplier: row for row in norm_status(period) if row.subject == "supplier"}
    assert rows[battery].count == _counted_of(battery, start, end, justified=True).count()
    assert rows[battery].count >= rows[battery].norm + 3  # clearly over: 10 against 6 in the seed's year
    assert [s for s, row in rows.items() if row.exceeded] == [battery]
    for supplier, row in rows.items():
        assert row.count == _counted_of(supplier, start, end, justified=True).count(), supplier
    assert flagged_suppliers(period) == {battery.pk}
    breach = NormBreach.objects.get(key=breach_key("supplier", battery.pk, period))
    # Flagged the day the record was opened from it, with the cards counted then (the 10th came later).
    assert breach.flagged_at < record.opened_at and breach.count == rows[battery].count - 1
    # Last year's rows were checked too: the QMS head was told of each breach once.
    assert NormBreach.objects.filter(period_start=period.previous().start).exists()
    notices = Notification.objects.filter(kind="norm_exceeded", user__username="qms")
    assert notices.count() == NormBreach.objects.count()


def test_the_battery_record_went_through_root_cause_actions_and_a_check_with_the_evidence():
    from amends.capa.choices import ActionKind, ActionStatus, NonconformityState, Source
    from amends.capa.evidence import evidence_for

    record = _battery_record()
    assert (record.source, record.state) == (Source.NORM, NonconformityState.ACTIONS_DONE)
    assert record.owner is not None and record.root_cause
    assert record.whys.count() == 5 and record.fishbone.filter(is_root=True).count() == 2
    actions = list(record.actions.order_by("pk"))
    assert [a.kind for a in actions] == [ActionKind.CORRECTIVE, ActionKind.PREVENTIVE]
    assert all(a.status == ActionStatus.DONE for a in actions)
    from amends.demo.capa import battery_now

    story_now = battery_now(timezone.now())
    for action in actions:
        assert timedelta(days=98) < story_now - action.done_at < timedelta(days=102)
        assert action.check_on < timezone.localdate()  # the check is due
    checked, waiting = actions
    assert list(checked.checks.values_list("effective", flat=True)) == [True] and not waiting.checks.exists()

    evidence = evidence_for(checked)
    battery = _battery_supplier()
    (dimension,) = [d for d in evidence.dimensions if d.dimension == "supplier"]
    before = _counted_of(battery, evidence.before_from, evidence.done_at)
    after = _counted_of(battery, evidence.done_at, evidence.until)
    assert sorted(dimension.before) == sorted(before.values_list("number", flat=True))
    assert sorted(dimension.after) == sorted(after.values_list("number", flat=True))
    assert (len(dimension.before), len(dimension.after)) == (7, 1)
    # What was kept on the check is what the QMS head decided on.
    assert checked.checks.get().evidence["dimensions"][0]["before"] == dimension.before
    # The record links the cards counted when it was opened, none received after.
    assert record.complaints.count() == 9 and not record.complaints.filter(received_at__gt=record.opened_at).exists()


def test_the_other_records_and_proposals():
    from amends.capa.choices import ActionStatus, NonconformityState, ProposalKind, ProposalStatus, Source
    from amends.capa.models import Nonconformity, NonconformityEvent, Proposal

    midway = Nonconformity.objects.get(source=Source.NORM, supplier=None)
    assert midway.state == NonconformityState.ACTIONS_PLANNED and midway.owner is not None
    overdue = midway.actions.filter(due_date__lt=timezone.localdate()).exclude(status=ActionStatus.DONE)
    assert overdue.count() == 1
    promoted = Nonconformity.objects.get(source=Source.MEASURE)
    assert promoted.actions.get().measure is not None
    dismissed = Proposal.objects.get(status=ProposalStatus.DISMISSED)
    assert _battery_record().number in dismissed.reason
    assert Proposal.objects.filter(kind=ProposalKind.CAUSE_GROWTH, status=ProposalStatus.PENDING).exists()
    # Every record's history is in the past, in order, none of it at the time of loading.
    assert not NonconformityEvent.objects.filter(at__gte=LOAD["started"]).exists()
    for record in Nonconformity.objects.all():
        moments = list(record.events.values_list("at", flat=True))
        assert moments == sorted(moments) and moments[0] == record.opened_at, record.number


# ---------------------------------------------------------------------------- the numbers (demo/analysis.py)

def test_the_numbers_of_today_dashboards_monthly_pack_and_yearly_statement():
    """As of today: the fixed moments of test_analysis.py check the same in more detail."""
    from amends.analytics.dashboards import DASHBOARDS, dashboard_charts
    from amends.analytics.filters import AnalyticsFilter
    from amends.analytics.models import YearlyStatement
    from amends.analytics.monthly import last_whole_month, monthly_pack

    qms, today = User.objects.get(username="qms"), timezone.localdate(LOAD["started"])
    for dashboard in DASHBOARDS.values():
        for chart in dashboard_charts(qms, dashboard, AnalyticsFilter.default(today)):
            assert all(any(p.values.get(s.key) for p in chart.points) for s in chart.series), chart.key
    pack = monthly_pack(qms, last_whole_month(today))
    assert len(pack.decisions) == 3 and len(pack.follow_up) == 3
    statement = YearlyStatement.objects.get(year=today.year - 1)
    assert statement.conclusions and statement.approved == (today > today.replace(month=1, day=15))


def test_the_analysis_pages_show_the_numbers_to_the_qms_head(client):
    from django.urls import reverse

    from amends.analytics.dashboards import DASHBOARDS
    from amends.analytics.models import YearlyStatement
    from amends.demo.texts import RU

    client.force_login(User.objects.get(username="qms"))
    for key in DASHBOARDS:
        page = client.get(reverse("analytics:board", args=[key]))
        assert page.status_code == 200 and b"empty-state" not in page.content, key
    monthly = client.get(reverse("analytics:monthly")).content.decode()
    taken = [text for _owner, text, _status, _follow_up in RU["analysis"]["decisions"]]
    followed = [text for _owner, _days, text, _done, _follow_up in RU["analysis"]["previous_decisions"]]
    assert all(text in monthly for text in taken + followed)
    statement = YearlyStatement.objects.get()
    yearly = client.get(reverse("analytics:yearly"), {"year": statement.year}).content.decode()
    assert statement.conclusions in yearly


# ---------------------------------------------------------------------------- the surveys (demo/surveys.py)

def test_the_surveys_are_on_and_every_answered_card_since_got_one_invitation():
    from amends.surveys.choices import CampaignKind, InvitationState, NotSentReason
    from amends.surveys.models import Campaign, Invitation
    from amends.surveys.models.policy import policy
    from amends.surveys.periodic import half_year_key

    rules = policy()
    assert rules.post_resolution is not None and rules.post_resolution == rules.periodic
    assert rules.post_resolution.name_en == "Customer satisfaction"
    assert not Organisation.objects.filter(kind="").exists() and not Organisation.objects.filter(region="").exists()
    post = Invitation.objects.filter(campaign__kind=CampaignKind.POST_RESOLUTION)
    cards = list(post.values_list("complaint_id", flat=True))
    assert len(cards) == len(set(cards)) > 50  # never two per card
    assert not post.exclude(complaint__state__in=[State.ANSWERED, State.CLOSED]).exists()
    for invitation in post.select_related("complaint", "campaign")[:200]:
        moment = invitation.complaint.answered_at or invitation.complaint.closed_at
        assert invitation.campaign.period == f"{timezone.localtime(moment):%Y-%m}"
        if invitation.sent_at is not None:
            assert moment < invitation.sent_at < moment + timedelta(hours=1) < LOAD["started"]
    today = timezone.localdate(LOAD["started"])
    half = Campaign.objects.get(kind=CampaignKind.SEMIANNUAL)
    assert half.period == half_year_key(today) and half.started_at < LOAD["started"]
    states = dict(half.invitations.values_list("state").annotate(n=models.Count("pk")))
    assert 0 < states[InvitationState.ANSWERED] < sum(states.values())
    not_sent = sorted(half.invitations.filter(state=InvitationState.NOT_SENT).values_list("not_sent_reason", flat=True))
    assert not_sent == [NotSentReason.ERASED, NotSentReason.REFUSED]
    erased = Contact.objects.get(erased_at__isnull=False)
    assert (erased.email, erased.phone, erased.erased_at < half.started_at) == ("", "", True)
    # Nothing left to send, nothing answered after its link expired, nothing dated at loading.
    assert not Invitation.objects.filter(state=InvitationState.PENDING).exists()
    assert not Invitation.objects.filter(sent_at__gte=LOAD["started"]).exists()
    assert not Invitation.objects.filter(answered_at__gt=models.F("expires_at")).exists()
    expired = Invitation.objects.filter(state=InvitationState.EXPIRED)
    assert expired.exists() and not expired.filter(expires_at__gt=timezone.now()).exists()


def test_the_surveys_figures_tell_the_story():
    from fractions import Fraction

    from amends.surveys.figures import criterion_matrix, suggestions
    from amends.surveys.models import Response
    from amends.surveys.selectors import k_summary

    responses = Response.objects.all()
    summary = k_summary(responses)
    assert summary.responses == responses.count() > 60
    # Independently: K is the ratio of the stored sums, below 8 for a minority only.
    below = sum(Fraction(r.weighted_sum, r.importance_sum) < 8 for r in responses)
    assert summary.below_threshold == below and 0 < below < summary.responses * 0.3
    assert summary.k is not None and summary.k > 8
    assert 0 < summary.not_recommending <= summary.asked_recommend * 0.2
    assert summary.leaving <= summary.asked_continue * 0.3
    rows = criterion_matrix(responses)
    assert [row.key for row in rows if row.priority] == ["delivery"]
    (delivery,) = [row for row in rows if row.key == "delivery"]
    assert delivery.importance >= 8 and delivery.score < 8
    assert suggestions(responses).count() >= 5
    assert not responses.filter(received_at__gte=LOAD["started"]).exists()


def test_the_surveys_follow_ups_and_the_one_breach_of_the_norm():
    from amends.surveys.choices import FollowUpKind, FollowUpState
    from amends.surveys.models import FollowUp, Response
    from amends.surveys.norms import Quarter, breaches_in, norm_check

    now = LOAD["started"]  # what is due "today" may be overdue by the time this test runs
    low = FollowUp.objects.filter(kind=FollowUpKind.LOW_K)
    assert low.count() == Response.objects.filter(k__lt=8).count()
    done = low.filter(state=FollowUpState.DONE)
    assert done.count() >= 5 and all(f.measures and f.result and f.closed_at < now for f in done)
    opened = low.filter(state=FollowUpState.OPEN)
    assert sorted(f.due_at > now for f in opened) == [False, True]  # one overdue, one still in its days
    (overdue,) = [f for f in opened if f.due_at < now]
    assert overdue.escalated_at is not None
    calls = FollowUp.objects.filter(kind=FollowUpKind.CALL_BACK)
    assert calls.count() == Response.objects.filter(recommends=False).count() >= 3
    assert all(f.reason and f.suggestion and f.result for f in calls.filter(state=FollowUpState.DONE))
    (waiting,) = calls.filter(state=FollowUpState.OPEN)
    assert waiting.opened_at < LOAD["finished"] and now < waiting.due_at < now + timedelta(days=4)
    quarter = Quarter.of(timezone.localdate(now))
    breaches = breaches_in(quarter) + breaches_in(quarter.previous())
    assert [(b.norm, b.segment_key != "all") for b in breaches] == [("recommend", True)]
    assert Notification.objects.filter(kind="survey_norm_breached", key=breaches[0].key).count() == 1
    assert norm_check() == []  # told once


def test_the_surveys_pages_open_on_the_demo_for_the_qms_head(client):
    from django.urls import reverse

    from amends.surveys.choices import CampaignKind
    from amends.surveys.models import Campaign, FollowUp, Response

    client.force_login(User.objects.get(username="qms"))
    response = Response.objects.filter(follow_ups__isnull=False).select_related("contact").first()
    lists = ("surveys:reports", "surveys:responses", "surveys:campaigns", "surveys:followups")
    urls = [reverse(name) for name in lists]
    urls += [reverse("surveys:campaign", args=[Campaign.objects.get(kind=CampaignKind.SEMIANNUAL).pk]),
             reverse("surveys:response", args=[response.pk]), reverse("surveys:customer", args=[response.contact_id]),
             reverse("surveys:followup", args=[FollowUp.objects.filter(response=response).first().pk]),
             reverse("surveys:customer", args=[Contact.objects.get(erased_at__isnull=False).pk])]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert "Сроки поставки" in client.get(reverse("surveys:reports")).content.decode()
