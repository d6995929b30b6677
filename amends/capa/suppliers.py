"""Merging a supplier entered twice into the one that stays: its history follows (DOMAIN.md §7),
so the norms and the scorecard count every card once, under the supplier that stays."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.audit.models import Action as AuditAction
from amends.audit.services import audit_record, object_type
from amends.complaints.models import Complaint
from amends.customers.models import Component, Supplier

from .access import access_process_owner
from .choices import NormSubject, RecordEventKind
from .event_texts import SUPPLIER_MERGED
from .events import record_event
from .models import Nonconformity, NormBreach, Proposal, SupplierNorm
from .norms import breach_key
from .periods import period_of


def merge_errors(source: Supplier, target: Supplier) -> list[str]:
    """Why `source` may not be merged into `target`. Only a supplier not merged is merged, into one not
    merged, and those merged into the source follow it: every merged supplier points at one that is
    not, so no chain grows and no cycle can be made."""
    if source.pk == target.pk:
        return [_("A supplier cannot be merged into itself.")]
    if source.merged_into_id is not None:
        return [_("%(source)s was merged into another supplier already.") % {"source": source}]
    if target.merged_into_id is not None:  # also what would close a cycle (target merged into source)
        return [_("%(target)s was merged into another supplier: merge into that one.") % {"target": target}]
    return []


@transaction.atomic
def supplier_merge(*, actor: User, source: Supplier, target: Supplier) -> dict[str, int]:
    """Move the complaints, components, nonconformities, proposals, norm breaches and the own norm of
    `source` to `target`, and keep `source` only as merged (inactive). Returns what moved, by kind."""
    access_process_owner(actor)
    # Locked in one order, so that two merges of the same pair wait for each other, never deadlock.
    locked = Supplier.objects.select_for_update().in_bulk(sorted([source.pk, target.pk]))
    source, target = locked[source.pk], locked[target.pk]
    errors = merge_errors(source, target)
    if errors:
        raise ValidationError(errors)
    # A bulk update, without the cards' timeline entries or `complaint_changed`: the supplier is the same
    # company under the name kept, no receiver reads the supplier, and the audit entry says what moved.
    # The version moves on, so that an edit form opened before the merge cannot put the old one back.
    moved = {
        "complaints": Complaint.objects.filter(supplier=source).update(
            supplier=target, version=F("version") + 1, updated_at=timezone.now(),
        ),
        "components": Component.objects.filter(supplier=source).update(supplier=target),
        "proposals": Proposal.objects.filter(supplier=source).update(supplier=target),
        "breaches": _breaches_move(source, target),
        "norm": _norm_move(source, target),
        "suppliers": Supplier.objects.filter(merged_into=source).update(merged_into=target),
    }
    records = list(Nonconformity.objects.filter(supplier=source))
    Nonconformity.objects.filter(pk__in=[r.pk for r in records]).update(supplier=target, version=F("version") + 1)
    for record in records:
        record_event(record, RecordEventKind.NOTE, SUPPLIER_MERGED, {"source": source.name, "target": target.name},
                     actor)
    moved["nonconformities"] = len(records)
    source.merged_into, source.is_active = target, False
    source.save(update_fields=["merged_into", "is_active"])
    audit_record(
        actor=actor, action=AuditAction.CHANGE, object_type=object_type(Supplier), object_pk=source.pk,
        object_repr=str(source), changes={"merged_into": [None, target.pk], "target": str(target), "moved": moved},
    )
    return moved


def _breaches_move(source: Supplier, target: Supplier) -> int:
    """A period the target was flagged in keeps the target's breach; the others move under its key,
    so that norm_check does not flag, announce and propose the merged supplier again."""
    taken = set(NormBreach.objects.filter(supplier=target).values_list("period_kind", "period_start"))
    moved = 0
    for breach in NormBreach.objects.filter(supplier=source):
        if (breach.period_kind, breach.period_start) in taken:
            breach.delete()
            continue
        breach.supplier = target
        breach.key = breach_key(NormSubject.SUPPLIER, target.pk, period_of(breach.period_kind, breach.period_start))
        breach.save(update_fields=["supplier", "key"])
        moved += 1
    return moved


def _norm_move(source: Supplier, target: Supplier) -> int:
    """The source's own norm moves unless the target has one of its own, which stays."""
    if SupplierNorm.objects.filter(supplier=target).exists():
        SupplierNorm.objects.filter(supplier=source).delete()
        return 0
    return SupplierNorm.objects.filter(supplier=source).update(supplier=target)
