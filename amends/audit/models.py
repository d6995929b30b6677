"""The audit log: append-only entries forming a hash chain (see chain.py and docs/audit.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are never changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries are never deleted.")


class Action(models.TextChoices):
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    DELETE = "delete", _("deleted")
    RUN = "run", _("ran")
    # A digest of a range of rows kept elsewhere (the timeline), so that verify sees them changed.
    SEAL = "seal", _("sealed")
    # New digests of sealed ranges that a lawful rewrite (an erasure) changed, with its reason.
    RESEAL = "reseal", _("resealed")


class AuditEntry(models.Model):
    """Who did what to which object, when, with the changes. The actor and object are kept as plain
    values, not foreign keys: a deleted user or object must not change (and so break) the entry."""

    seq = models.PositiveBigIntegerField(_("no."), unique=True)
    created_at = models.DateTimeField(_("at"), db_index=True)
    actor_pk = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)  # app_label.model
    object_pk = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are never deleted.")


class ChainHead(models.Model):
    """One row, locked by each append, so that concurrent appends line up instead of forking the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
