"""The demo's words, read from data/<language>.json: the company and its people in Russian (ru.json),
with the English and Armenian names of its departments, suppliers and products (en.json, hy.json).

The tables keep the order of the files: the demo draws from them with a seeded generator, so the
same files give the same demo.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(language: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / f"{language}.json").read_text(encoding="utf-8"))


RU, EN, HY = read("ru"), read("en"), read("hy")
PHRASES: dict[str, Any] = RU["phrases"]

# ---------------------------------------------------------------------------- organisation

# key: (name, name_en, name_hy)
DEPARTMENTS = {key: (name, EN["departments"][key], HY["departments"][key]) for key, name in RU["departments"].items()}
# username, role, first name, last name, position, department, heads the department
USERS = [
    (u["username"], u["role"], u["first_name"], u["last_name"], u["position"], u["department"], u["heads"])
    for u in RU["users"]
]
# key: (name, name_en)
SUPPLIERS = {key: (name, EN["suppliers"][key]) for key, name in RU["suppliers"].items()}


# name, name_en, supplier, weight (0: drawn for no card; the battery of demo/capa.py's story)
Part = tuple[str, str, str, int]


def _product(product: dict[str, Any]) -> tuple[str, str, str, str, list[Part]]:
    en = EN["products"][product["code"]]
    parts = [
        (part["name"], part_en, part["supplier"], part["weight"])
        for part, part_en in zip(product["components"], en["components"], strict=True)
    ]
    return product["name"], en["name"], HY["products"][product["code"]]["name"], product["code"], parts


# name, name_en, name_hy, code, components: (name, name_en, supplier, weight)
PRODUCTS: list[tuple[str, str, str, str, list[Part]]] = [_product(product) for product in RU["products"]]

# ---------------------------------------------------------------------------- people

_PEOPLE = RU["people"]
MALE_FIRST: list[str] = _PEOPLE["male_first_names"]
FEMALE_FIRST: list[str] = _PEOPLE["female_first_names"]
FATHERS: list[list[str]] = _PEOPLE["patronymics"]  # (a son's, a daughter's)
SURNAMES: list[str] = _PEOPLE["surnames"]
TRANSLIT: dict[str, str] = _PEOPLE["translit"]


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in text.lower())


def plural(number: int, forms: list[str]) -> str:
    """"1 день", "3 дня", "11 дней": Russian numeral agreement; `forms` for 1, 2-4 and 5+."""
    one, few, many = forms
    if number % 10 == 1 and number % 100 != 11:
        word = one
    elif 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        word = few
    else:
        word = many
    return f"{number} {word}"


@dataclass(frozen=True)
class Person:
    last: str
    first: str
    patronymic: str
    female: bool

    @property
    def full_name(self) -> str:
        return f"{self.last} {self.first} {self.patronymic}"

    @property
    def first_last(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def greeting(self) -> str:
        return PHRASES["greeting"][self.female].format(first=self.first, patronymic=self.patronymic)


def make_person(rng: random.Random, used: set[str] | None = None) -> Person:
    while True:
        female = rng.random() < 0.45
        last = rng.choice(SURNAMES)
        if female:
            last += _PEOPLE["female_surname_ending"]
        person = Person(
            last=last, first=rng.choice(FEMALE_FIRST if female else MALE_FIRST),
            patronymic=rng.choice(FATHERS)[1 if female else 0], female=female,
        )
        if used is None or person.full_name not in used:
            if used is not None:
                used.add(person.full_name)
            return person


CITIES: list[list[str]] = RU["cities"]  # name, telephone code, first digits of the postcode
STREETS: list[str] = RU["streets"]
ORGANISATIONS: list[list[str]] = RU["organisations"]  # legal form, name, internet domain
CONTACT_POSITIONS: list[str] = RU["contact_positions"]
PROJECTS: list[str] = RU["projects"]

# ---------------------------------------------------------------------------- complaint texts

VERBS: dict[str, list[str]] = RU["verbs"]  # key: (his, hers)
STAFF_ROLES: dict[str, str] = RU["staff_roles"]  # department: who the employee concerned is


@dataclass(frozen=True)
class Kind:
    """How a leaf category reads, which department owns it and what usually causes it. A fact
    starting with ⚡ speaks of electrics, so it is not told of a product without any."""

    group: str
    departments: list[str]
    causes: dict[str, int]
    facts: list[str]
    demands: list[str]
    what: str  # "we apologise for ..."
    staff: bool = False
    product: bool = True


KINDS = {
    name: Kind(
        group=c["group"], departments=c["departments"], causes=c["causes"], facts=c["facts"],
        demands=c["demands"], what=c["what"], staff=c["staff"], product=c["product"],
    )
    for name, c in RU["categories"].items()
}
CATEGORY_WEIGHTS: dict[str, int] = {name: c["weight"] for name, c in RU["categories"].items()}

EMOTIONS: list[str] = RU["emotions"]
EMOTIONS_B2B: list[str] = RU["emotions_b2b"]
SOCIAL_PLACES: list[str] = RU["social_places"]
MESSENGERS: list[str] = RU["messengers"]
# Internal complaints (appeal to the QMS): category, department concerned, text, causes.
INTERNAL: list[tuple[str, str, str, dict[str, int]]] = [
    (i["category"], i["department"], i["text"], i["causes"]) for i in RU["internal"]
]
INTERNAL_TAILS: list[str] = RU["internal_tails"]

OPINIONS: dict[str, list[str]] = RU["opinions"]  # per cause kind
OPINION_DETAILS: dict[str, list[str]] = RU["opinion_details"]
FINDINGS: dict[str, str] = RU["findings"]
# per cause kind (or "billing"): measure, department of the executor ("" = the complaint's), report
MEASURES: dict[str, list[list[str]]] = RU["measures"]
COMPENSATIONS: list[list[str]] = RU["compensations"]
UNJUSTIFIED_OFFERS: list[str] = RU["unjustified_offers"]
# Why an unjustified complaint is unjustified, per category (or "internal"): the finding and the
# document it rests on (in the dative, after «согласно»).
UNJUSTIFIED: dict[str, list[list[str]]] = RU["unjustified"]
# (kind, text) of what the responsible person records while investigating: a "call" to the customer
# or an internal "note".
NOTES: list[tuple[str, str]] = [(kind, text) for kind, text in RU["notes"]]
# A call back to the customer that first answers a written complaint.
FIRST_CALLS: list[str] = RU["first_calls"]
WITHDRAW_REASONS: list[str] = RU["withdraw_reasons"]
RETURN_REASONS: list[str] = RU["return_reasons"]
REOPEN_REASONS: list[str] = RU["reopen_reasons"]
UNREACHABLE: list[str] = RU["unreachable"]
