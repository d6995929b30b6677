from datetime import date, timedelta

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from amends.complaints.choices import COUNTED_REQUEST_TYPES, FINAL_STATES, Channel, ClaimDemand, RequestType, State
from amends.complaints.models import Complaint, Measure
from amends.complaints.services import complaint_add_message, measure_add
from amends.deadlines.choices import ClockKind, Preset
from amends.deadlines.models import TICKING, Clock
from amends.deadlines.services import card_preset_choose
from amends.reports.selectors import RESOLUTION, STANDARD_ROWS, weekly_summary

from .conftest import NOW, msk


def figures(summary) -> dict[str, tuple[int, int, int]]:
    return {row.kind: (row.on_time, row.late, row.overdue) for row in summary.clocks}


def test_complaints_received_by_channel_and_by_top_level_category(week, categories):
    summary = weekly_summary(now=NOW)
    # E at 23:30 on Sunday is in; D (the week before), F (Monday after) and the duplicate G are not.
    assert [(row.channel, row.count) for row in summary.by_channel] == [
        (Channel.PHONE, 1), (Channel.EMAIL, 4), (Channel.FAX, 1),
    ]
    assert summary.received == 6
    # Late delivery is folded into Delivery.
    assert [(str(row.label), row.count) for row in summary.by_category] == [
        ("Delivery", 2), ("Billing", 1), ("Uncategorised", 3),
    ]


def test_deadlines_met_on_time_and_late_during_the_week_and_overdue_now(week):
    assert figures(weekly_summary(now=NOW)) == {
        # A on time; B and D (received the week before) late. The phone call C was answered by
        # its registration: nobody had to meet that clock, so it is counted apart.
        ClockKind.FIRST_RESPONSE: (1, 2, 0),
        # A on time, C late; B and D still undecided; I waits for the customer, so it is not late.
        ClockKind.DECISION: (1, 1, 2),
        # A's two measures, one reported late; C's measure due Saturday not reported.
        RESOLUTION: (1, 1, 1),
    }


def test_overdue_deadlines_with_the_responsible_person_the_longest_overdue_first(week, responsible):
    summary = weekly_summary(now=NOW)
    assert [
        (line.complaint.number, line.complaint.responsible, str(line.label), line.due_at, line.late_by)
        for line in summary.overdue
    ] == [
        (week.D.number, None, "Decision", msk(2025, 3, 8, 10), timedelta(days=8, hours=22)),
        (week.B.number, None, "Decision", msk(2025, 3, 12, 9), timedelta(days=4, hours=23)),
        (week.C.number, responsible, "Measure: Вернуть деньги", msk(2025, 3, 16), timedelta(days=1, hours=8)),
    ]
    assert (summary.overdue_total, summary.overdue_cards) == (3, 3)


def test_a_short_overdue_list_is_cut_at_the_limit_but_counted_in_full(week):
    summary = weekly_summary(now=NOW, overdue_limit=2)
    assert [line.complaint.number for line in summary.overdue] == [week.D.number, week.B.number]
    assert summary.overdue_total == 3


def test_the_oldest_open_cards_with_their_age_and_state(week):
    summary = weekly_summary(now=NOW)
    assert [(card.complaint.number, card.complaint.state, card.age) for card in summary.oldest_open] == [
        (week.D.number, State.REGISTERED, timedelta(days=9, hours=22)),
        (week.A.number, State.IN_PROGRESS, timedelta(days=6, hours=22)),
        (week.I.number, State.REGISTERED, timedelta(days=6, hours=21)),
        (week.B.number, State.REGISTERED, timedelta(days=5, hours=23)),
        (week.C.number, State.DECIDED, timedelta(days=4, hours=17)),
        (week.E.number, State.REGISTERED, timedelta(hours=8, minutes=30)),
        (week.F.number, State.REGISTERED, timedelta(hours=7, minutes=30)),
    ]


def test_the_week_before_counts_what_was_received_then_and_nothing_met(week):
    summary = weekly_summary(date(2025, 3, 3), now=NOW)
    assert [(row.channel, row.count) for row in summary.by_channel] == [(Channel.LETTER, 1)]
    assert {kind: (on_time, late) for kind, (on_time, late, _overdue) in figures(summary).items()} == {
        ClockKind.FIRST_RESPONSE: (0, 0), ClockKind.DECISION: (0, 0), RESOLUTION: (0, 0),
    }
    assert summary.overdue_total == 3  # overdue is as of now, whatever the week


def test_the_week_in_progress_can_be_seen_and_has_no_next_week(week):
    summary = weekly_summary(date(2025, 3, 17), now=NOW)
    assert (summary.label, summary.received, summary.next_label) == ("2025-W12", 1, None)
    assert weekly_summary(now=NOW).next_label == "2025-W12"


def test_a_statutory_clock_gets_its_row_only_in_a_week_that_has_one(frozen, register, qms):
    frozen(msk(2025, 3, 3, 10))
    claim = register(channel=Channel.EMAIL)
    card_preset_choose(complaint=claim, actor=qms, preset=Preset.CONSUMER_REPLACEMENT)
    frozen(msk(2025, 3, 3, 11))
    complaint_add_message(complaint=claim, incoming=False, text="Заменим товар.")
    assert ClockKind.ANSWER not in figures(weekly_summary(now=msk(2025, 3, 10, 8)))
    # Seven days from Monday 3rd: overdue by Monday 17th.
    assert figures(weekly_summary(now=NOW))[ClockKind.ANSWER] == (0, 0, 1)


def test_the_summary_takes_the_same_number_of_queries_for_5_and_for_50_cards(
    frozen, register, walk, categories, responsible, executor,
):
    def cards(count: int) -> None:
        for index in range(count):
            frozen(msk(2025, 3, 10, 9) + timedelta(minutes=index))
            card = register(channel=[Channel.EMAIL, Channel.PHONE][index % 2],
                            category=[categories["late"], categories["billing"], None][index % 3])
            if index % 5 == 0:
                card = walk(card, State.DECIDED)
                measure_add(complaint=card, actor=responsible, description="Позвонить",
                            executor=executor, due_date=date(2025, 3, 11))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            summary = weekly_summary(now=NOW)
        assert summary.overdue and summary.by_category and summary.oldest_open
        return len(captured)

    cards(5)
    few = queries()
    cards(45)
    assert queries() == few
    assert len(weekly_summary(now=NOW).oldest_open) == 10


def test_a_deadline_met_at_its_very_due_time_is_on_time_and_a_minute_later_is_late(frozen, register):
    frozen(msk(2025, 3, 10, 10))
    on_the_dot, a_minute_late = register(channel=Channel.EMAIL), register(channel=Channel.EMAIL)
    frozen(msk(2025, 3, 11, 10))
    complaint_add_message(complaint=on_the_dot, incoming=False, text="Ответ.")
    frozen(msk(2025, 3, 11, 10, 1))
    complaint_add_message(complaint=a_minute_late, incoming=False, text="Ответ.")
    assert figures(weekly_summary(now=NOW))[ClockKind.FIRST_RESPONSE] == (1, 1, 0)


def test_a_clock_met_by_registration_is_shown_apart_not_as_met_on_time(week):
    first_response = next(row for row in weekly_summary(now=NOW).clocks if row.kind == ClockKind.FIRST_RESPONSE)
    assert first_response.by_registration == 1  # the phone call C
    assert first_response.percent_on_time == 33  # A on time, B and D late


def test_a_week_whose_e_mail_first_responses_were_all_late_reads_0_per_cent_on_time(frozen, register):
    """Six phone calls taken and two e-mails answered late read "75 % on time" when the calls count."""
    frozen(msk(2025, 3, 10, 9))
    emails = [register(channel=Channel.EMAIL), register(channel=Channel.EMAIL)]
    for _call in range(6):
        register(channel=Channel.PHONE)
    frozen(msk(2025, 3, 12, 9))
    for email in emails:
        complaint_add_message(complaint=email, incoming=False, text="Разбираемся.")
    first_response = next(row for row in weekly_summary(now=NOW).clocks if row.kind == ClockKind.FIRST_RESPONSE)
    assert (first_response.on_time, first_response.late, first_response.by_registration) == (0, 2, 6)
    assert first_response.percent_on_time == 0


def test_objections_and_other_requests_are_left_out_of_every_figure_and_shown_apart(frozen, register):
    frozen(msk(2025, 3, 10, 9))
    complaint = register(channel=Channel.EMAIL)
    claim = register(channel=Channel.LETTER, request_type=RequestType.CLAIM, claim_demand=ClaimDemand.REFUND)
    objection = register(channel=Channel.EMAIL, request_type=RequestType.OBJECTION)
    register(channel=Channel.WEB_FORM, request_type=RequestType.OTHER)
    frozen(msk(2025, 3, 12, 9))
    for card in (complaint, objection):
        complaint_add_message(complaint=card, incoming=False, text="Разбираемся.")
    summary = weekly_summary(now=NOW)
    assert [(row.channel, row.count) for row in summary.by_channel] == [(Channel.EMAIL, 1), (Channel.LETTER, 1)]
    assert [(row.kind, row.count) for row in summary.set_aside] == [
        (RequestType.OBJECTION, 1), (RequestType.OTHER, 1),
    ]
    # Only the complaint's late answer and the undecided cards of the complaint and the claim.
    assert figures(summary)[ClockKind.FIRST_RESPONSE] == (0, 1, 1)  # the claim's letter is unanswered
    assert figures(summary)[ClockKind.DECISION] == (0, 0, 2)
    assert {line.complaint for line in summary.overdue} == {complaint, claim}
    assert summary.overdue_cards == 2
    assert objection not in {card.complaint for card in summary.oldest_open}


def test_the_overdue_figures_and_oldest_cards_are_those_of_the_definitions_they_replace(
    week, register, frozen, executor,
):
    """The summary names the open states and counts the overdue cards from a union; the earlier
    definitions excluded the final states and asked each counted card. Same numbers, on cards in
    every state, of every request type, each with a ticking clock and a measure past due."""
    frozen(msk(2025, 3, 5, 9))
    for request_type in RequestType.values:
        for state in State.values:
            card = register(channel=Channel.EMAIL, request_type=request_type,
                            claim_demand=ClaimDemand.REFUND if request_type == RequestType.CLAIM else "")
            Measure.objects.create(complaint=card, description="Позвонить", executor=executor,
                                   due_date=date(2025, 3, 7))
            Complaint.objects.filter(pk=card.pk).update(state=state)
    Clock.objects.filter(complaint__received_at__lt=msk(2025, 3, 6)).update(met_at=None, stopped_at=None)
    frozen(NOW)

    counted = Complaint.objects.exclude(state=State.DUPLICATE).filter(request_type__in=COUNTED_REQUEST_TYPES)
    clocks = Clock.objects.filter(TICKING, due_at__lte=NOW, complaint__request_type__in=COUNTED_REQUEST_TYPES).exclude(
        complaint__state__in=FINAL_STATES)
    measures = Measure.objects.filter(
        done_at__isnull=True, due_date__lt=NOW.date(), complaint__request_type__in=COUNTED_REQUEST_TYPES,
    ).exclude(complaint__state__in=FINAL_STATES)
    overdue = {kind: clocks.filter(kind=kind).count() for kind in ClockKind.values} | {RESOLUTION: measures.count()}
    cards = counted.filter(Q(pk__in=clocks.values("complaint_id")) | Q(pk__in=measures.values("complaint_id")))
    oldest = counted.exclude(state__in=FINAL_STATES).order_by("received_at", "pk")[:10]

    summary = weekly_summary(now=NOW)
    assert overdue[ClockKind.DECISION] > 8 and overdue[RESOLUTION] > 8 and cards.count() > 8, "a real test"
    assert {row.kind: row.overdue for row in summary.clocks} == {
        kind: n for kind, n in overdue.items() if n or kind in STANDARD_ROWS}
    assert (summary.overdue_total, summary.overdue_cards) == (sum(overdue.values()), cards.count())
    assert sorted((line.complaint.pk, line.kind) for line in summary.overdue) == sorted(
        [(clock.complaint_id, clock.kind) for clock in clocks] + [(m.complaint_id, RESOLUTION) for m in measures])
    assert [card.complaint.pk for card in summary.oldest_open] == [card.pk for card in oldest]
