"""The goods' price a consumer-law claim is about: the statutory penalty is counted from it."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Complaint

USER = settings.AUTH_USER_MODEL


class GoodsPrice(models.Model):
    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="goods_price")
    price = models.DecimalField(
        _("price of the goods"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)],
    )
    set_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("price of the goods")
        verbose_name_plural = _("prices of the goods")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.price}"
