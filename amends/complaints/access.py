"""Object-level rules for a card: each `access_*` raises AccessDenied, `can_*` answers."""

from django.utils.translation import gettext as _

from amends.accounts.access import OVERSEERS, PROCESS_OWNERS
from amends.accounts.roles import Role
from amends.core.errors import AccessDenied, TransitionNotAllowed

from .choices import FINAL_STATES, Justification, State
from .models import Complaint, Measure


def can_view_complaint(user, complaint: Complaint) -> bool:
    if user.has_role(*OVERSEERS):
        return True
    return (
        complaint.registered_by_id == user.pk
        or (user.has_role(Role.RESPONSIBLE) and complaint.responsible_id == user.pk)
        or (
            user.has_role(Role.EXECUTOR)
            and complaint.measures.filter(executor=user).exists()
        )
    )


def access_view_complaint(user, complaint: Complaint) -> None:
    if not can_view_complaint(user, complaint):
        raise AccessDenied("You may not see this complaint.")


def can_edit_complaint(user, complaint: Complaint) -> bool:
    """Edit the card's fields: the QMS head, the responsible person, or its operator before assignment."""
    if complaint.state in FINAL_STATES:
        return False
    if user.has_role(*PROCESS_OWNERS):
        return True
    if complaint.responsible_id == user.pk:
        return True
    return complaint.registered_by_id == user.pk and complaint.state == State.REGISTERED


def access_edit_complaint(user, complaint: Complaint) -> None:
    if not can_edit_complaint(user, complaint):
        raise AccessDenied("You may not change this complaint.")


def _may_plan(user, complaint: Complaint) -> bool:
    return user.has_role(*PROCESS_OWNERS) or complaint.responsible_id == user.pk


def _plannable(complaint: Complaint) -> bool:
    justified = complaint.justification in (Justification.JUSTIFIED, Justification.PARTLY)
    return complaint.state == State.DECIDED and justified


def can_plan_measures(user, complaint: Complaint) -> bool:
    return _plannable(complaint) and _may_plan(user, complaint)


def access_plan_measures(user, complaint: Complaint) -> None:
    """A wrong person is refused (403); the right person at the wrong moment is told why (409)."""
    if not _may_plan(user, complaint):
        raise AccessDenied(_("Measures are planned by the responsible person or the head of the QMS."))
    if not _plannable(complaint):
        raise TransitionNotAllowed(
            _("Measures are planned after the complaint is decided to be justified or partly justified.")
        )


def _may_report(user, measure: Measure) -> bool:
    return (measure.executor_id == user.pk or user.has_role(*PROCESS_OWNERS)
            or measure.complaint.responsible_id == user.pk)


def _reportable(measure: Measure) -> bool:
    return measure.complaint.state == State.IN_PROGRESS and not measure.is_done


def can_report_measure(user, measure: Measure) -> bool:
    return _reportable(measure) and _may_report(user, measure)


def access_report_measure(user, measure: Measure) -> None:
    if not _may_report(user, measure):
        raise AccessDenied(
            _("Only the executor, the responsible person or the head of the QMS reports on this measure.")
        )
    if not _reportable(measure):
        raise TransitionNotAllowed(_("A measure is reported once, after the plan is approved."))

