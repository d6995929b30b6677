import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.core.models import ReferenceModel

from .roles import Role


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a time zone, e.g. Europe/Moscow.") % {"zone": value})


class Department(ReferenceModel):
    """A department that owns a process; its head is the usual responsible person."""

    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="headed_departments", verbose_name=_("head"),
    )

    class Meta(ReferenceModel.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class User(AbstractUser):
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("department"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True,
    )
    # Empty: the company's time zone (TIME_ZONE). Dates and deadlines are shown in this one.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone],
        help_text=_("For example Europe/Moscow or Asia/Yerevan; empty for the company's time zone."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def group_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @cached_property
    def roles(self) -> frozenset[str]:
        names = set(self.group_names)
        if self.is_superuser:
            names.add(Role.ADMINISTRATOR)
        return frozenset(names)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_overseer(self) -> bool:
        """Sees the whole picture: the QMS head, managers, administrators (DOMAIN.md §9)."""
        return self.has_role(Role.QMS_HEAD, Role.MANAGER, Role.ADMINISTRATOR)
