from django import template

from amends.accounts.models import User
from amends.triage.access import can_administer_triage

register = template.Library()


@register.filter
def sets_up_triage(user: User) -> bool:
    return can_administer_triage(user)
