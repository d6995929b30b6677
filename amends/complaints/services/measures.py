"""The card's measures: planned, removed, reported done, each on the timeline."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.accounts.roles import Role

from .. import access, signals
from ..event_texts import MEASURE_DONE, MEASURE_PLANNED, MEASURE_REMOVED
from ..events import event_measure
from ..models import Complaint, Measure
from .lifecycle import card_locked

# Who may carry out a measure.
EXECUTOR_ROLES = (Role.EXECUTOR, Role.RESPONSIBLE, Role.QMS_HEAD)


@transaction.atomic
def measure_add(
    *, complaint: Complaint, actor: User, description: str, executor: User, due_date: date,
) -> Measure:
    complaint = card_locked(complaint, None)
    access.access_plan_measures(actor, complaint)
    if not executor.has_role(*EXECUTOR_ROLES):
        raise ValidationError({"executor": _("%(user)s cannot be an executor.") % {"user": executor}})
    measure = Measure(
        complaint=complaint, description=description.strip(), executor=executor, due_date=due_date,
    )
    measure.full_clean()
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date is in the past.")})
    measure.save()
    event_measure(complaint, actor, MEASURE_PLANNED, {
        "measure": measure.description, "executor": str(executor), "due": due_date.isoformat(),
    })
    return measure


@transaction.atomic
def measure_remove(*, measure: Measure, actor: User) -> None:
    complaint = card_locked(Complaint(pk=measure.complaint_id), None)
    measure = Measure.objects.get(pk=measure.pk, complaint=complaint)
    access.access_plan_measures(actor, complaint)
    event_measure(complaint, actor, MEASURE_REMOVED, {"measure": measure.description})
    measure.delete()


@transaction.atomic
def measure_report(*, measure: Measure, actor: User, report: str) -> Measure:
    measure = Measure.objects.select_for_update().select_related("complaint").get(pk=measure.pk)
    access.access_report_measure(actor, measure)
    if not report.strip():
        raise ValidationError({"report": _("Describe what was done.")})
    measure.report = report.strip()
    measure.done_at = timezone.now()
    measure.save(update_fields=["report", "done_at", "updated_at"])
    event_measure(measure.complaint, actor, MEASURE_DONE, {"measure": measure.description, "report": measure.report})
    signals.measure_reported.send(sender=Complaint, complaint=measure.complaint, measure=measure, actor=actor)
    return measure
