from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "amends.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from amends.complaints import signals

        from . import receivers

        signals.internal_complaint_filed.connect(
            receivers.on_internal_complaint_filed, dispatch_uid="notifications_internal_filed",
        )
