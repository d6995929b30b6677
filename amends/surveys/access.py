"""Who may do what with the surveys, declared once."""

from amends.accounts.access import OVERSEERS, PROCESS_OWNERS
from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.core.errors import AccessDenied

from .models import FollowUp


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
