from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    name = "amends.duplicates"
    label = "duplicates"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from amends.complaints import signals

        from . import receivers
        from .pages import register

        signals.complaint_registered.connect(receivers.on_registered, dispatch_uid="duplicates_registered")
        signals.complaint_changed.connect(receivers.on_changed, dispatch_uid="duplicates_changed")
        register()
