from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import Category6M
from .nonconformities import Nonconformity


class WhyStep(models.Model):
    """One link of the 5 Whys chain: why did it happen, because ... (the next why asks about this answer)."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="whys")
    position = models.PositiveSmallIntegerField(_("step"))
    why = models.TextField(_("why?"))
    because = models.TextField(_("because"))

    class Meta:
        verbose_name = _("why")
        verbose_name_plural = _("5 whys")
        ordering = ["nonconformity", "position"]
        constraints = [models.UniqueConstraint(fields=["nonconformity", "position"], name="capa_why_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.why[:60]}"


class FishboneCause(models.Model):
    """One possible cause on a bone of the fishbone diagram (6M)."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="fishbone")
    category = models.CharField(_("category"), max_length=20, choices=Category6M.choices)
    text = models.CharField(_("cause"), max_length=300)
    is_root = models.BooleanField(_("confirmed as a root cause"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("fishbone cause")
        verbose_name_plural = _("fishbone causes")
        ordering = ["nonconformity", "category", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.category}: {self.text[:60]}"
