"""The app's own records: what the meetings decide, the statements, the order counts, the saved views,
the schedules and the exports. Complaint data is only read (selectors.py)."""

from .reviews import MonthlyReview, ReviewDecision  # noqa: F401
