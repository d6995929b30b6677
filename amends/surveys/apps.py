from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "amends.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.complaints import signals as complaint_signals

        from . import receivers

        complaint_signals.answer_delivered.connect(
            receivers.on_answer_delivered, dispatch_uid="surveys_post_resolution_answered",
        )
        complaint_signals.complaint_transitioned.connect(
            receivers.on_complaint_transitioned, dispatch_uid="surveys_post_resolution_closed",
        )
