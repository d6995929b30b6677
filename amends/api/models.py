from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_MAX_LENGTH = 255


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an `Idempotency-Key`, replayed to its retries.

    One row per user and key; the unique constraint is what stops two concurrent retries
    from both registering a complaint.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=KEY_MAX_LENGTH)
    # SHA-256 of the request: method, path and body in a canonical form.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_unique_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
