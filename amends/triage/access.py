"""Who runs triage: administrators set its thresholds, rules and models; operators only use its suggestions."""

from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.core.errors import AccessDenied


def can_administer_triage(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def access_administer_triage(user: User) -> None:
    if not can_administer_triage(user):
        raise AccessDenied(_("Only administrators set up triage."))
