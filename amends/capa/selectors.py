from django.db.models import QuerySet

from amends.complaints.choices import State
from amends.complaints.models import Complaint

# Never counted, never linked: a duplicate counts in its original, a withdrawn complaint is no complaint.
NOT_COUNTED = (State.DUPLICATE, State.WITHDRAWN)


def counted_complaints(queryset: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """Complaints that count in the norms, the clusters, the growth and the evidence of a check."""
    queryset = Complaint.objects.all() if queryset is None else queryset
    return queryset.exclude(state__in=NOT_COUNTED)
