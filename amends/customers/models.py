import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.core.models import ReferenceModel, TimeStampedModel


def phone_digits(phone: str) -> str:
    """Digits only, with a Russian trunk prefix 8 read as +7, so one number matches however typed."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


class OrganisationKind(models.TextChoices):
    """The type of organisation, a segment of the satisfaction figures (DOMAIN.md §8)."""

    COMMERCIAL = "commercial", _("Commercial company")
    STATE = "state", _("State body or enterprise")
    NONPROFIT = "nonprofit", _("Non-profit organisation")


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("type of organisation"), max_length=20, choices=OrganisationKind.choices, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("postal address"), blank=True)
    is_key_account = models.BooleanField(_("key account"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A contact person; a private person has no organisation."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT,
        related_name="contacts", verbose_name=_("organisation"),
    )
    full_name = models.CharField(_("full name"), max_length=300)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    phone_digits = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    address = models.TextField(_("postal address"), blank=True)
    # Made from a public submission (web form, e-mail, chat widget): its e-mail and phone are what
    # anyone could type, so later submissions never match it and it never stands for a known customer
    # until an operator links the card or the customer proves the address.
    provisional = models.BooleanField(_("unconfirmed"), default=False)
    region = models.CharField(_("region"), max_length=100, blank=True)
    # Surveys and other unsolicited messages are never sent to a person who asked not to be contacted,
    # nor to one whose personal data was erased (privacy sets erased_at).
    contact_refused_at = models.DateTimeField(_("asked not to be contacted since"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["full_name"]

    def __str__(self) -> str:
        if self.organisation_id:
            return f"{self.full_name} ({self.organisation})"
        return self.full_name

    @property
    def may_be_contacted(self) -> bool:
        """Whether an unsolicited message (a survey) may go to this person."""
        return self.contact_refused_at is None and self.erased_at is None

    def save(self, *args, **kwargs):
        self.phone_digits = phone_digits(self.phone)
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Supplier(ReferenceModel):
    # Set when this supplier was merged into another: its complaints, components and records moved
    # there (capa/suppliers.py), and it is kept only so that old references still resolve.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_suppliers",
        verbose_name=_("merged into"), editable=False,
    )

    class Meta(ReferenceModel.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")


class Product(ReferenceModel):
    code = models.CharField(_("code"), max_length=100, blank=True)

    class Meta(ReferenceModel.Meta):
        verbose_name = _("product")
        verbose_name_plural = _("products")


class Component(ReferenceModel):
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="components", verbose_name=_("product"),
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="components", verbose_name=_("supplier"),
    )

    class Meta(ReferenceModel.Meta):
        verbose_name = _("component")
        verbose_name_plural = _("components")
