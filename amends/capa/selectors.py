from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from amends.accounts.access import OVERSEERS
from amends.accounts.models import User
from amends.complaints.choices import COUNTED_REQUEST_TYPES, State
from amends.complaints.models import Complaint
from amends.customers.models import Supplier

from .deadlines import overdue_records
from .models import Action, Nonconformity, NonconformityComplaint

# Never counted, never linked: a duplicate counts in its original, a withdrawn complaint is no complaint.
NOT_COUNTED = (State.DUPLICATE, State.WITHDRAWN)


def counted_complaints(queryset: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """Complaints that count in the norms, the clusters, the growth and the evidence of a check: complaints
    and claims only (an objection or another request is no complaint, DOMAIN.md "Words"), as in every
    complaint statistic."""
    queryset = Complaint.objects.all() if queryset is None else queryset
    return queryset.filter(request_type__in=COUNTED_REQUEST_TYPES).exclude(state__in=NOT_COUNTED)


def visible_nonconformities(user: User) -> QuerySet[Nonconformity]:
    """The records a user sees (access.can_see_nonconformity as a queryset): every one for those who
    oversee quality, else those they own or own an action of."""
    records = Nonconformity.objects.all()
    if user.has_role(*OVERSEERS):
        return records
    return records.filter(_owned_by(user))


def _owned_by(user: User) -> Q:
    return Q(owner=user) | Q(Exists(Action.objects.filter(nonconformity=OuterRef("pk"), owner=user)))


def nonconformity_register(
    user: User, *, q: str = "", state: str = "", owner: User | None = None, supplier: Supplier | None = None,
    source: str = "", kind: str = "", mine: bool = False, overdue: bool = False,
) -> QuerySet[Nonconformity]:
    """The register as this user sees it, filtered (`overdue`: a deadline passed and not met,
    deadlines.overdue_records), each with its `complaints_count`; one query whatever the number of
    rows (the owner and supplier come with it)."""
    visible = visible_nonconformities(user)
    if overdue:
        visible = overdue_records(visible)
    records = visible.select_related("owner", "supplier", "product").annotate(
        complaints_count=Coalesce(Subquery(
            NonconformityComplaint.objects.filter(nonconformity=OuterRef("pk")).order_by()
            .values("nonconformity").annotate(count=Count("pk")).values("count"),
        ), 0),
    )
    if q.strip():
        records = records.filter(Q(number__icontains=q.strip()) | Q(title__icontains=q.strip()))
    exact = {"state": state, "owner": owner, "supplier": supplier, "source": source, "kind": kind}
    records = records.filter(**{name: value for name, value in exact.items() if value})
    if mine:
        records = records.filter(_owned_by(user))
    return records
