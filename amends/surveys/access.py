"""Who may do what with the surveys, declared once."""

from django.db.models import Q

from amends.accounts.access import OVERSEERS, PROCESS_OWNERS
from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.models import Complaint
from amends.core.errors import AccessDenied
from amends.customers.models import Contact

from .models import FollowUp, Response


def can_see_surveys(user: User) -> bool:
    """The figures, the responses and the campaigns: those who see the whole picture (DOMAIN.md §9)."""
    return user.is_authenticated and user.has_role(*OVERSEERS)


def access_surveys(user: User) -> None:
    if not can_see_surveys(user):
        raise AccessDenied("Only the head of the QMS, managers and administrators see the surveys.")


def can_run_campaigns(user: User) -> bool:
    """Start campaigns, type in answers that came on paper, by fax or by phone: the head of the QMS
    and administrators."""
    return user.is_authenticated and user.has_role(*PROCESS_OWNERS)


def access_campaigns(user: User) -> None:
    if not can_run_campaigns(user):
        raise AccessDenied("Only the head of the QMS and administrators run survey campaigns.")


def can_edit_questionnaires(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def access_questionnaires(user: User) -> None:
    if not can_edit_questionnaires(user):
        raise AccessDenied("Only administrators define questionnaires.")


def can_see_followups(user: User) -> bool:
    """The follow-ups' list: overseers see everyone's, a responsible person (or anyone owning one) their own."""
    return user.is_authenticated and (
        user.has_role(*OVERSEERS, Role.RESPONSIBLE) or FollowUp.objects.filter(owner=user).exists()
    )


def access_followups(user: User) -> None:
    if not can_see_followups(user):
        raise AccessDenied("Only the follow-ups' owners and those who oversee the surveys see the follow-ups.")


def can_see_followup(user: User, followup: FollowUp) -> bool:
    return user.is_authenticated and (user.has_role(*OVERSEERS) or followup.owner_id == user.pk)


def can_close_followup(user: User, followup: FollowUp) -> bool:
    """Its owner, the head of the QMS and administrators."""
    return user.is_authenticated and (user.has_role(*PROCESS_OWNERS) or followup.owner_id == user.pk)


def access_followup_close(user: User, followup: FollowUp) -> None:
    if not can_close_followup(user, followup):
        raise AccessDenied("Only the follow-up's owner, the head of the QMS and administrators close it.")
def can_change_survey_settings(user: User) -> bool:
    """The threshold, the link's life, the reminders and which questionnaire goes out: administrators."""
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def access_survey_settings(user: User) -> None:
    if not can_change_survey_settings(user):
        raise AccessDenied("Only administrators change the survey settings.")
def responses_visible_filter(user: User) -> Q:
    """The responses a user who does not oversee the surveys may read: those of a card they are
    responsible for, and those whose follow-up they own."""
    return Q(complaint__responsible=user) | Q(follow_ups__owner=user)


def can_see_response(user: User, response: Response) -> bool:
    """Overseers; the responsible person of the response's card; the owner of one of its follow-ups."""
    if not user.is_authenticated:
        return False
    if can_see_surveys(user):
        return True
    return Response.objects.filter(responses_visible_filter(user), pk=response.pk).exists()


def access_response(user: User, response: Response) -> None:
    if not can_see_response(user, response):
        raise AccessDenied("Only overseers, the card's responsible person and the follow-up's owner see a response.")


def can_see_customer(user: User, contact: Contact) -> bool:
    """The customer's page: overseers, and the responsible person of one of their cards."""
    if not user.is_authenticated:
        return False
    return can_see_surveys(user) or Complaint.objects.filter(contact=contact, responsible=user).exists()


def access_customer(user: User, contact: Contact) -> None:
    if not can_see_customer(user, contact):
        raise AccessDenied("Only overseers and the responsible person of the customer's cards see the customer's page.")
