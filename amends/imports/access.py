"""Who may bring history in: administrators only. An import writes cards by the thousand with their
original dates and states, past every check a person's registration goes through."""

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.core.errors import AccessDenied


def can_import(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def access_imports(user: User) -> None:
    if not can_import(user):
        raise AccessDenied("Only administrators import complaint history.")
