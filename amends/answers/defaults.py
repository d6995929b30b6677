"""The letter templates (one per outcome and language) and the library of legal and contractual
references every fresh install starts with, read from `data/`; administrators edit them afterwards."""

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def default_templates() -> list[dict[str, str]]:
    """Each `data/templates/<outcome>.<language>.txt`: "name:" and "subject:" lines, "---", the body."""
    templates = []
    for path in sorted((DATA / "templates").glob("*.txt")):
        outcome, language = path.stem.split(".")
        head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        templates.append({"outcome": outcome, "language": language, "name": fields["name"],
                          "subject": fields["subject"], "body": body})
    return templates


def default_references() -> list[dict[str, str]]:
    return json.loads((DATA / "references.json").read_text(encoding="utf-8"))


def load_letter_defaults(letter_template: Any, legal_reference: Any) -> None:
    """Adds what is missing (the models are passed in, so a data migration can use its historical ones)."""
    for fields in default_templates():
        letter_template.objects.get_or_create(
            outcome=fields["outcome"], language=fields["language"], name=fields["name"], defaults=fields,
        )
    known = {field.name for field in legal_reference._meta.fields}  # a migration's model may lack newer ones
    for fields in default_references():
        legal_reference.objects.get_or_create(
            title=fields["title"], defaults={name: value for name, value in fields.items() if name in known},
        )
