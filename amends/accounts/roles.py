"""The roles of DOMAIN.md §9, kept as Django groups (created by a migration)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    RESPONSIBLE = "responsible", _("Responsible person")
    EXECUTOR = "executor", _("Executor")
    QMS_HEAD = "qms_head", _("Head of the QMS")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


# Model permissions each group gets; object-level rules live in the services.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OPERATOR: [
        "complaints.add_complaint", "complaints.view_complaint",
        "customers.add_contact", "customers.view_contact",
        "customers.add_organisation", "customers.view_organisation",
    ],
    Role.RESPONSIBLE: [
        "complaints.view_complaint", "complaints.change_complaint", "complaints.add_measure",
        "customers.view_contact", "customers.view_organisation",
    ],
    Role.EXECUTOR: ["complaints.view_complaint", "complaints.change_measure"],
    Role.QMS_HEAD: [
        "complaints.add_complaint", "complaints.view_complaint", "complaints.change_complaint",
        "complaints.add_measure", "complaints.change_measure",
        "customers.add_contact", "customers.view_contact",
        "customers.add_organisation", "customers.view_organisation",
    ],
    Role.MANAGER: [
        "complaints.view_complaint", "customers.view_contact", "customers.view_organisation",
    ],
    Role.ADMINISTRATOR: [],  # administrators are superusers with staff access
}


def create_role_groups(group_model, permission_model) -> None:
    """One group per role with its permissions; idempotent. Takes the models so a migration can pass its own."""
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
