from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "amends.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from amends.complaints.models import Complaint, TimelineEvent

        from . import models, pages, receivers
        from .policies import forget_policy_table

        post_save.connect(receivers.on_timeline_event, sender=TimelineEvent, dispatch_uid="deadlines_timeline")
        post_save.connect(receivers.on_complaint_saved, sender=Complaint, dispatch_uid="deadlines_card")
        for model in (models.BusinessCalendar, models.WorkingHours, models.CalendarException,
                      models.DeadlinePolicy, models.EscalationStep):
            for signal in (post_save, post_delete):
                signal.connect(forget_policy_table, sender=model, dispatch_uid=f"deadlines_forget_{model.__name__}")
        # A flush (transactional tests) or a migration replaces the rows a cached table points at.
        post_migrate.connect(forget_policy_table, dispatch_uid="deadlines_forget_migrate")
        pages.register()
