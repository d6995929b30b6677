from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "amends.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        # Each channel registers its parser (and messenger sender) on import, so that the admin's
        # re-processing, commands and the worker find them without loading the URLs first.
        from amends.complaints import signals

        from . import receivers
        from .channels.email import parser  # noqa: F401
        from .channels.web_form import services  # noqa: F401
        from .channels.webhooks import inbound, outbound  # noqa: F401
        from .pages import register

        register()
        signals.complaint_registered.connect(receivers.on_registered, dispatch_uid="intake_registered")
