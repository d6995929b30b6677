from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "amends.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from amends.complaints import signals

        from . import event_texts, models, pages, receivers
        from .policies import forget_policy_table

        signals.complaint_registered.connect(receivers.on_registered, dispatch_uid="deadlines_registered")
        signals.complaint_changed.connect(receivers.on_changed, dispatch_uid="deadlines_changed")
        signals.complaint_transitioned.connect(receivers.on_transitioned, dispatch_uid="deadlines_transitioned")
        signals.customer_contacted.connect(receivers.on_customer_contacted, dispatch_uid="deadlines_contacted")
        signals.customer_replied.connect(receivers.on_customer_replied, dispatch_uid="deadlines_replied")
        signals.answer_delivered.connect(receivers.on_answer_delivered, dispatch_uid="deadlines_answer_delivered")
        # Cache invalidation, not a business rule: a cached policy table must not outlive its rows.
        for model in (models.BusinessCalendar, models.WorkingHours, models.CalendarException,
                      models.DeadlinePolicy, models.EscalationStep):
            for signal in (post_save, post_delete):
                signal.connect(forget_policy_table, sender=model, dispatch_uid=f"deadlines_forget_{model.__name__}")
        # A flush (transactional tests) or a migration replaces the rows a cached table points at.
        post_migrate.connect(forget_policy_table, dispatch_uid="deadlines_forget_migrate")
        pages.register()
        event_texts.register()
