"""The app's own records: what the meetings decide, the statements, the order counts, the saved views,
the schedules and the exports. Complaint data is only read (selectors.py)."""

from .exports import RegisterExport as RegisterExport
from .orders import MonthlyOrders as MonthlyOrders
from .reviews import MonthlyReview as MonthlyReview
from .reviews import ReviewDecision as ReviewDecision
from .schedules import ReportSubscription as ReportSubscription
from .schedules import ScheduledReportSent as ScheduledReportSent
from .statements import YearlyStatement as YearlyStatement
