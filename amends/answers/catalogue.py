"""The compensation catalogue a fresh install starts with (amends/answers/data/compensation.json)."""

import json
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(__file__).resolve().parent / "data" / "compensation.json"


def load_catalogue(option_model, limit_model) -> None:
    """The options with their limits per role, named in the company language; a catalogue the
    administrators keep already is left alone. Takes the models so a migration can pass its own."""
    if option_model.objects.exists():
        return
    language = settings.LANGUAGE_CODE.split("-")[0]
    for item in json.loads(CATALOGUE.read_text(encoding="utf-8"))["options"]:
        option = option_model.objects.create(
            kind=item["kind"], cost=item["cost"],
            name=item["name"].get(language, item["name"]["en"]),
            description=item["description"].get(language, item["description"]["en"]),
        )
        for role, limit in item["limits"].items():
            limit_model.objects.create(option=option, role=role, limit=limit)
