from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "amends.core"
    label = "core"

    def ready(self) -> None:
        from .sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="amends-unicode-like")
