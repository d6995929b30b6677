"""Who may see what: the one place for role checks that do not depend on a card."""

from amends.core.errors import AccessDenied

from .models import User
from .roles import Role

OVERSEERS = (Role.QMS_HEAD, Role.MANAGER, Role.ADMINISTRATOR)
PROCESS_OWNERS = (Role.QMS_HEAD, Role.ADMINISTRATOR)


def access_register_complaint(user: User) -> None:
    if not user.has_role(Role.OPERATOR, Role.QMS_HEAD, Role.ADMINISTRATOR):
        raise AccessDenied("Only operators and the head of the QMS register complaints.")


def can_register_complaint(user: User) -> bool:
    try:
        access_register_complaint(user)
    except AccessDenied:
        return False
    return True
