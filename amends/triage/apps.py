from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "amends.triage"
    label = "triage"
    verbose_name = _("Triage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.complaints import signals

        from . import event_texts, flag_pages, receivers
        from .panel import register

        signals.complaint_registered.connect(receivers.on_registered, dispatch_uid="triage_registered")
        signals.complaint_changed.connect(receivers.on_changed, dispatch_uid="triage_changed")
        signals.negative_labels_imported.connect(receivers.on_negative_labels_imported,
                                                 dispatch_uid="triage_negative_labels_imported")
        event_texts.register()
        register()
        flag_pages.register()
