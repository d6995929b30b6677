"""The company's order counts per month, entered by hand: the base of complaints per 1,000 orders."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlyOrders(models.Model):
    month = models.DateField(_("month"), unique=True)  # its first day
    orders = models.PositiveIntegerField(_("orders"), validators=[MinValueValidator(1)])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("order count of a month")
        verbose_name_plural = _("order counts per month")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=models.Q(orders__gte=1), name="monthly_orders_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.orders}"

    def clean(self) -> None:
        if self.month is not None and self.month.day != 1:  # None: the form already says it is required
            raise ValidationError({"month": _("Give the month's first day.")})
