from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.customers.models import Supplier

from ..choices import NormSubject, PeriodKind


class CapaSettings(models.Model):
    """The company's CAPA settings, one row (pk 1), kept by administrators."""

    manufacturer_norm = models.PositiveIntegerField(
        _("norm: complaints by the manufacturer's fault per period"), default=4, validators=[MinValueValidator(1)],
    )
    all_suppliers_norm = models.PositiveIntegerField(
        _("norm: complaints by suppliers' components per period, all suppliers together"), default=6,
        validators=[MinValueValidator(1)],
    )
    supplier_norm = models.PositiveIntegerField(
        _("norm: complaints by one supplier's components per period"), default=6, validators=[MinValueValidator(1)],
        help_text=_("Each supplier's, unless the supplier has a norm of its own."),
    )
    norm_period = models.CharField(_("norm period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    cluster_size = models.PositiveSmallIntegerField(
        _("cluster: similar complaints from different customers"), default=3, validators=[MinValueValidator(2)],
    )
    cluster_window_days = models.PositiveSmallIntegerField(
        _("cluster: within days"), default=30, validators=[MinValueValidator(1)],
    )
    growth_min_count = models.PositiveSmallIntegerField(
        _("cause growth: at least this many complaints in the quarter"), default=3, validators=[MinValueValidator(1)],
    )
    growth_percent = models.PositiveSmallIntegerField(
        _("cause growth: more than the previous quarter by per cent"), default=50, validators=[MinValueValidator(1)],
    )
    analysis_days = models.PositiveSmallIntegerField(
        _("days to analyse the root cause"), default=10, validators=[MinValueValidator(1)],
    )
    plan_days = models.PositiveSmallIntegerField(
        _("days to plan the actions"), default=20, validators=[MinValueValidator(1)],
    )
    effectiveness_days = models.PositiveSmallIntegerField(
        _("days from an action's due date to its effectiveness check"), default=90, validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("CAPA settings")
        verbose_name_plural = _("CAPA settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(manufacturer_norm__gte=1, all_suppliers_norm__gte=1, supplier_norm__gte=1),
                name="capa_norms_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "CapaSettings":
        return cls.objects.get_or_create(pk=1)[0]


class SupplierNorm(models.Model):
    """A supplier's own norm, instead of the default one."""

    supplier = models.OneToOneField(
        Supplier, on_delete=models.CASCADE, related_name="capa_norm", verbose_name=_("supplier"),
    )
    norm = models.PositiveIntegerField(
        _("complaints allowed per period"), validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("supplier norm")
        verbose_name_plural = _("supplier norms")
        constraints = [models.CheckConstraint(condition=Q(norm__gte=1), name="capa_supplier_norm_positive")]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.norm}"


class NormBreach(models.Model):
    """A norm crossed in one period: flagged, announced and proposed once (`key` is unique)."""

    key = models.CharField(max_length=100, unique=True)
    subject = models.CharField(_("whose fault"), max_length=20, choices=NormSubject.choices)
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="norm_breaches",
        verbose_name=_("supplier"),
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period from"))
    count = models.PositiveIntegerField(_("complaints counted"))
    norm = models.PositiveIntegerField(_("norm"))
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)

    class Meta:
        verbose_name = _("norm exceeded")
        verbose_name_plural = _("norms exceeded")
        ordering = ["-period_start", "subject", "supplier"]

    def __str__(self) -> str:
        return self.key
