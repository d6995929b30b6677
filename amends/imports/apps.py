from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "amends.imports"
    label = "imports"
    verbose_name = _("Import of complaint history")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django_tasks.signals import task_started

        from .tasks import indexes_check_at_start

        task_started.connect(indexes_check_at_start, dispatch_uid="imports.indexes_check_at_start")
