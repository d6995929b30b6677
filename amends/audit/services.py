"""Writing and checking the audit chain.

Each entry's hash is sha256 over the previous entry's hash and the entry's own content in canonical
JSON, so changing, removing or reordering any entry breaks every hash from there on. The timeline is
covered by seals: a periodic job appends an entry holding a digest of the timeline rows written since
the last seal, and `verify` recomputes those digests from the rows. A rewrite the law requires (an
erasure) appends a reseal naming the seals it changed, their new digests and its reason; from then
on `verify` holds those seals to the reseal's digests instead.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from .models import Action, AuditEntry, ChainHead

GENESIS = "0" * 64
# Rows younger than this are left for the next seal: a transaction that inserted a lower id may not
# have committed yet, and a seal must never cover a row it could not see.
SEAL_MARGIN = timedelta(minutes=1)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_content(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq, "created_at": entry.created_at.isoformat(), "actor_pk": entry.actor_pk,
        "actor_name": entry.actor_name, "action": entry.action, "object_type": entry.object_type,
        "object_pk": entry.object_pk, "object_repr": entry.object_repr, "changes": entry.changes,
    }


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256((entry.prev_hash + canonical(entry_content(entry))).encode()).hexdigest()


def plain(value: Any) -> Any:
    """A value as JSON keeps it, the same before it is stored and after it is read back."""
    return json.loads(canonical(value))


def audit_record(
    *, actor: Any, action: str, object_type: str, object_pk: Any = "", object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `actor` is a user or None (the system)."""
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1, created_at=timezone.now(),
            actor_pk=getattr(actor, "pk", None), actor_name=getattr(actor, "username", "") or "",
            action=action, object_type=object_type, object_pk=str(object_pk or ""),
            object_repr=str(object_repr)[:200], changes=plain(changes or {}), prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        ChainHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
        return entry


def object_type(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def audit_record_object(*, actor: Any, action: str, obj: models.Model, changes: dict[str, Any] | None = None):
    return audit_record(actor=actor, action=action, object_type=object_type(obj), object_pk=obj.pk,
                        object_repr=str(obj), changes=changes)


def rows_digest(model: type[models.Model], after_pk: int, last_pk: int) -> tuple[int, str]:
    """The number of rows with after_pk < pk <= last_pk and a sha256 over all their columns, in pk order."""
    names = [field.attname for field in model._meta.concrete_fields]
    digest, count = hashlib.sha256(), 0
    rows = model._base_manager.filter(pk__gt=after_pk, pk__lte=last_pk).order_by("pk").values_list(*names)
    for row in rows.iterator(chunk_size=2000):
        digest.update(canonical(list(row)).encode() + b"\n")
        count += 1
    return count, digest.hexdigest()


def audit_seal(*, model: type[models.Model], now: datetime | None = None) -> AuditEntry | None:
    """Append a seal over the rows of `model` written since its last seal (older than SEAL_MARGIN);
    None when there are none. The model needs an integer primary key and a `created_at`."""
    label = object_type(model)
    with transaction.atomic():
        # Taken first, so that two workers sealing at once cover consecutive ranges.
        ChainHead.objects.select_for_update().get_or_create(pk=1)
        last = AuditEntry.objects.filter(action=Action.SEAL, object_type=label).order_by("-seq").first()
        after_pk = last.changes["last_pk"] if last else 0
        cutoff = (now or timezone.now()) - SEAL_MARGIN
        last_pk = (model._base_manager.filter(pk__gt=after_pk, created_at__lt=cutoff)
                   .aggregate(m=models.Max("pk"))["m"])
        if last_pk is None:
            return None
        count, digest = rows_digest(model, after_pk, last_pk)
        return audit_record(
            actor=None, action=Action.SEAL, object_type=label, object_repr=f"{after_pk + 1}..{last_pk}",
            changes={"after_pk": after_pk, "last_pk": last_pk, "count": count, "sha256": digest},
        )


def audit_reseal(
    *, model: type[models.Model], pks: set[Any], reason: models.Model, actor: Any = None,
) -> AuditEntry | None:
    """Append a reseal for the seals of `model` covering any of `pks`, which the caller has just
    rewritten in the current transaction: each seal's range digested again, as it is now. None when no
    seal covers them. `reason` is the record of why the rows were rewritten (e.g. an erasure)."""
    if model is AuditEntry:
        return _entries_reseal(pks=pks, reason=reason, actor=actor)
    label = object_type(model)
    # Sealed tables have integer keys; any other table has no seal to check.
    if not pks or not AuditEntry.objects.filter(action=Action.SEAL, object_type=label).exists():
        return None
    ids = sorted(int(pk) for pk in pks)
    with transaction.atomic():
        # Taken before reading the seals, so that a seal committed meanwhile is seen and resealed.
        ChainHead.objects.select_for_update().get_or_create(pk=1)
        candidates = AuditEntry.objects.filter(
            action=Action.SEAL, object_type=label, changes__after_pk__lt=ids[-1], changes__last_pk__gte=ids[0],
        ).order_by("seq")
        affected = [seal for seal in candidates
                    if any(seal.changes["after_pk"] < pk <= seal.changes["last_pk"] for pk in ids)]
        if not affected:
            return None
        seals = []
        for seal in affected:
            count, digest = rows_digest(model, seal.changes["after_pk"], seal.changes["last_pk"])
            seals.append({"seal": seal.seq, "count": count, "sha256": digest})
        return audit_record(
            actor=actor, action=Action.RESEAL, object_type=label,
            object_repr=", ".join(f"#{item['seal']}" for item in seals),
            changes={"seals": seals, "reason": {"type": object_type(reason), "pk": reason.pk}},
        )


def _entries_reseal(*, pks: set[Any], reason: models.Model, actor: Any) -> AuditEntry | None:
    """Entries whose content an erasure rewrote (a name in an admin change): their new content
    hashes. Their stored hashes, and so the links of the chain, stay as written."""
    with transaction.atomic():
        ChainHead.objects.select_for_update().get_or_create(pk=1)
        entries = [{"entry": entry.seq, "hash": entry_hash(entry)}
                    for entry in AuditEntry.objects.filter(pk__in=pks).order_by("seq")]
        if not entries:
            return None
        return audit_record(
            actor=actor, action=Action.RESEAL, object_type=object_type(AuditEntry),
            object_repr=", ".join(f"#{item['entry']}" for item in entries),
            changes={"entries": entries, "reason": {"type": object_type(reason), "pk": reason.pk}},
        )


@dataclass
class Verdict:
    entries: int
    seals: int
    broken: AuditEntry | None = None
    reason: str = ""


def audit_verify() -> Verdict:
    """Recompute the chain from the first entry; stop at the first that does not hold."""
    verdict, prev_hash, expected_seq = Verdict(0, 0), GENESIS, 1
    # A forged reseal read here still fails below, at its own entry, when its hash is checked.
    reseals: dict[int, dict[str, Any]] = {}
    rehashed: dict[int, str] = {}
    for reseal in AuditEntry.objects.filter(action=Action.RESEAL).order_by("seq").iterator(chunk_size=2000):
        for item in reseal.changes.get("seals", []):
            reseals[item["seal"]] = item | {"by": reseal.seq}
        for item in reseal.changes.get("entries", []):
            rehashed[item["entry"]] = item["hash"]
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        reason = ""
        if entry.seq != expected_seq:
            reason = f"entry no. {expected_seq} is missing"
        elif entry.prev_hash != prev_hash:
            reason = "its previous hash is not the hash of the entry before it"
        # An entry an erasure rewrote holds to the reseal's hash of its new content, and only to that.
        elif entry_hash(entry) != rehashed.get(entry.seq, entry.hash):
            reason = "its content does not match its hash"
        elif entry.action == Action.SEAL:
            reason = _seal_problem(entry, reseals.get(entry.seq))
            verdict.seals += 1
        elif entry.action == Action.RESEAL:
            reason = _reseal_problem(entry)
        if reason:
            verdict.broken, verdict.reason = entry, reason
            return verdict
        verdict.entries += 1
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev_hash):
        verdict.reason = f"the chain ends at no. {expected_seq - 1}, but {head.seq} entries were written"
    return verdict


def _seal_problem(entry: AuditEntry, reseal: dict[str, Any] | None) -> str:
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return f"it seals {entry.object_type}, which does not exist"
    seal = entry.changes
    # Once resealed, only the latest reseal's digest holds: the rows as the seal first saw them don't.
    expected = reseal or seal
    count, digest = rows_digest(model, seal["after_pk"], seal["last_pk"])
    if (count, digest) != (expected["count"], expected["sha256"]):
        since = f" since reseal no. {reseal['by']}" if reseal else ""
        return (f"the {entry.object_type} rows {seal['after_pk'] + 1}..{seal['last_pk']} it seals have changed"
                f"{since} ({count} rows now, {expected['count']} sealed)")
    return ""


def _reseal_problem(entry: AuditEntry) -> str:
    """A reseal must name earlier seals of the same table: it cannot vouch for anything else."""
    if entry.object_type == object_type(AuditEntry):
        named = [item["entry"] for item in entry.changes.get("entries", [])]
        if not named or max(named) >= entry.seq:
            return "it reseals entries that are not earlier ones"
        return ""
    named = [item["seal"] for item in entry.changes.get("seals", [])]
    seals = AuditEntry.objects.filter(seq__in=named, seq__lt=entry.seq, action=Action.SEAL,
                                      object_type=entry.object_type).count()
    if not named or seals != len(set(named)):
        return "it reseals entries that are not earlier seals of the same table"
    return ""
