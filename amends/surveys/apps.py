from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "amends.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.complaints import signals as complaint_signals
        from amends.deadlines.selectors import register_my_deadlines_source

        from . import receivers
        from .followups import my_followup_deadlines, survey_answered_receiver
        from .pages import register as register_card_panel
        from .signals import invitations_ready, survey_answered
        from .tasks import invitations_ready_receiver

        survey_answered.connect(survey_answered_receiver, dispatch_uid="surveys_followups_open")
        invitations_ready.connect(invitations_ready_receiver, dispatch_uid="surveys.invitations_send")
        register_my_deadlines_source(my_followup_deadlines)
        register_card_panel()  # "Satisfaction and loyalty" on the card
        # The post-resolution survey: after the final answer left, or the card closed.
        complaint_signals.answer_delivered.connect(
            receivers.on_answer_delivered, dispatch_uid="surveys_post_resolution_answered",
        )
        complaint_signals.complaint_transitioned.connect(
            receivers.on_complaint_transitioned, dispatch_uid="surveys_post_resolution_closed",
        )
