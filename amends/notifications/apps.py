from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "amends.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from amends.complaints import signals

        from . import receivers

        def connect(signal, receiver) -> None:
            signal.connect(receiver, dispatch_uid=f"notifications_{receiver.__name__}")

        connect(signals.internal_complaint_filed, receivers.on_internal_complaint_filed)
        connect(signals.complaint_changed, receivers.on_changed)
        connect(signals.complaint_transitioned, receivers.on_transitioned)
        connect(signals.measure_reported, receivers.on_measure_reported)
        connect(signals.customer_replied, receivers.on_customer_replied)
        connect(signals.customer_file_received, receivers.on_customer_file_received)
