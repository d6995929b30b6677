"""The cards the analysis counts, once: every chart, report and export of this app starts here.

Counted are the complaints and claims (objections and other requests are answered, not counted:
DOMAIN.md, "Words"), received in the period, that the user may see; duplicates and withdrawn cards
are no complaints and are left out everywhere (the pages say so)."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from amends.accounts.models import User
from amends.complaints.choices import COUNTED_REQUEST_TYPES, State
from amends.complaints.models import Complaint
from amends.complaints.selectors import complaints_visible_to

from .filters import AnalyticsFilter

LEFT_OUT_STATES = (State.DUPLICATE, State.WITHDRAWN)


def counted_complaints(user: User, filters: AnalyticsFilter, *, period: bool = True) -> QuerySet[Complaint]:
    """The counted cards matching the filters; `period=False` drops the period, for the charts that
    compare with earlier years or look at what is open now."""
    qs = complaints_visible_to(user).filter(request_type__in=COUNTED_REQUEST_TYPES).exclude(state__in=LEFT_OUT_STATES)
    if period:
        start, end = filters.bounds()
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    exact = {
        "department_concerned_id": filters.department, "product_id": filters.product,
        "channel": filters.channel, "responsible_id": filters.responsible,
    }
    qs = qs.filter(**{name: value for name, value in exact.items() if value})
    if filters.category:
        qs = qs.filter(Q(category_id=filters.category) | Q(category__parent_id=filters.category))
    return qs

# What every page, workbook, PDF and API answer of the analysis says it leaves out.
NOT_COUNTED = gettext_lazy("Duplicates, withdrawn cards, objections and other requests are not counted.")
