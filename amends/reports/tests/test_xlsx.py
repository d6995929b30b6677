from datetime import datetime, timedelta
from io import BytesIO

from django.utils import translation
from openpyxl import load_workbook

from amends.answers.compensation import compensation_grant
from amends.answers.models import CompensationOption
from amends.reports.selectors import weekly_summary
from amends.reports.xlsx import weekly_summary_xlsx

from .conftest import NOW


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_one_sheet_per_section_with_a_bold_frozen_header_and_set_widths(week):
    book = load_workbook(BytesIO(weekly_summary_xlsx(weekly_summary(now=NOW))))
    assert book.sheetnames == [
        "By channel", "By category", "Not counted", "Deadlines", "Overdue", "Oldest open", "Compensation",
    ]
    for sheet in book.worksheets:
        assert all(cell.font.bold for cell in sheet[1])
        assert not any(cell.font.bold for row in sheet.iter_rows(min_row=2) for cell in row)
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["A"].width >= 14


def test_the_figures_in_the_workbook(week):
    book = load_workbook(BytesIO(weekly_summary_xlsx(weekly_summary(now=NOW))))
    assert rows(book["By channel"]) == [
        ("Channel", "Complaints"), ("Phone", 1), ("E-mail", 4), ("Fax", 1), ("Total", 6),
    ]
    assert rows(book["By category"]) == [
        ("Category", "Complaints"), ("Delivery", 2), ("Billing", 1), ("Uncategorised", 3),
    ]
    assert rows(book["Not counted"]) == [("Received, left out of every figure", "Cards"), ("Duplicate", 1)]
    # The phone call C was answered by its registration: apart, and not in the share on time.
    assert rows(book["Deadlines"]) == [
        ("Clock", "Met on time", "Met late", "Share on time, %", "Overdue now", "Met by registration"),
        ("First response", 1, 2, 33, 0, 1), ("Decision", 1, 1, 50, 2, 0),
        ("Measures (resolution)", 1, 1, 50, 1, 0),
    ]


def test_overdue_and_oldest_cards_with_real_dates_in_the_company_time_zone(week):
    book = load_workbook(BytesIO(weekly_summary_xlsx(weekly_summary(now=NOW))))
    overdue = book["Overdue"]
    assert rows(overdue) == [
        ("Card No.", "Responsible", "Clock", "Due", "Late, days"),
        (week.D.number, "not assigned", "Decision", datetime(2025, 3, 8, 10), 8.9),
        (week.B.number, "not assigned", "Decision", datetime(2025, 3, 12, 9), 5.0),
        # Due on the 15th, as the card says: a date, not the moment the day ends (the 16th, 00:00).
        (week.C.number, "Responsible", "Measure: Вернуть деньги", datetime(2025, 3, 15), 1.3),
    ]
    # The English format of the pages (config/formats/en), in Excel's words.
    assert overdue["D2"].number_format == "d mmm yyyy hh:mm"
    assert overdue["D4"].number_format == "d mmm yyyy"
    assert overdue["A2"].hyperlink.target == f"https://complaints.example.com/complaints/{week.D.number}/"
    assert book["Oldest open"]["B2"].number_format == "d mmm yyyy hh:mm"
    oldest = rows(book["Oldest open"])
    assert oldest[0] == ("Card No.", "Received", "Age, days", "State", "Responsible")
    assert oldest[1] == (week.D.number, datetime(2025, 3, 7, 10), 9.9, "Registered", "not assigned")
    assert oldest[2] == (week.A.number, datetime(2025, 3, 10, 10), 6.9, "Measures in progress", "Responsible")
    assert len(oldest) == 1 + 7


def test_dates_in_the_workbook_take_the_readers_language_format(week):
    with translation.override("ru"):
        book = load_workbook(BytesIO(weekly_summary_xlsx(weekly_summary(now=NOW))))
    overdue = book.worksheets[4]  # "Overdue", in Russian here
    assert (overdue["D2"].number_format, overdue["D4"].number_format) == ("dd.mm.yyyy hh:mm", "dd.mm.yyyy")


def test_the_compensation_given_in_the_week(week, qms):
    gift, refund = CompensationOption.objects.get(kind="gift"), CompensationOption.objects.get(kind="refund")
    for option, value in [(gift, 500), (gift, 700), (refund, 12000)]:
        grant = compensation_grant(complaint=week.A, actor=qms, option=option, value=value, method="—",
                                   due_date=NOW.date(), note="")
        type(grant).objects.filter(pk=grant.pk).update(granted_at=NOW - timedelta(days=7))  # in the reported week
    book = load_workbook(BytesIO(weekly_summary_xlsx(weekly_summary(now=NOW))))
    assert rows(book["Compensation"]) == [
        ("Compensation", "Granted", "Value, RUB"),
        *sorted([(gift.name, 2, 1200), (refund.name, 1, 12000)]),  # by option name
        ("Total", 3, 13200),
    ]
    assert book["Compensation"]["C2"].number_format == "#,##0.00"
