from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "amends.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .signals import invitations_ready
        from .tasks import invitations_ready_receiver

        invitations_ready.connect(invitations_ready_receiver, dispatch_uid="surveys.invitations_send")
