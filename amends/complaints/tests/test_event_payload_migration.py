"""0005 moves the deadline codes and received-file references out of new_value into their own fields."""

import importlib

from django.apps import apps

from amends.complaints.choices import EventKind
from amends.complaints.models import TimelineEvent

migration = importlib.import_module("amends.complaints.migrations.0005_event_code_reference")


def test_codes_and_references_move_out_of_new_value_and_back(complaint):
    rows = {
        "deadline": TimelineEvent.objects.create(complaint=complaint, kind=EventKind.DEADLINE,
                                                 new_value="breached", text="Просрочено"),
        "file": TimelineEvent.objects.create(complaint=complaint, kind=EventKind.NOTE,
                                             new_value="received-file:7:AgAD", text="Фото"),
        "note": TimelineEvent.objects.create(complaint=complaint, kind=EventKind.NOTE, text="Заметка"),
        "change": TimelineEvent.objects.create(complaint=complaint, kind=EventKind.FIELD_CHANGE,
                                               field="project", old_value="A", new_value="B"),
    }

    def stored() -> dict[str, tuple[str, str, str]]:
        values = {pk: (new, code, ref) for pk, new, code, ref in
                  TimelineEvent.objects.values_list("pk", "new_value", "code", "reference")}
        return {name: values[row.pk] for name, row in rows.items()}

    migration.codes_and_references_forward(apps, None)
    assert stored() == {
        "deadline": ("", "breached", ""),
        "file": ("", "", "received-file:7:AgAD"),
        "note": ("", "", ""),
        "change": ("B", "", ""),
    }
    migration.codes_and_references_backward(apps, None)
    assert stored() == {
        "deadline": ("breached", "", ""),
        "file": ("received-file:7:AgAD", "", ""),
        "note": ("", "", ""),
        "change": ("B", "", ""),
    }
