"""A journal's row checked and turned into what a card is made of: dates in the common Russian, ISO and
CFPB forms, the channel, state and classification recognised by code or by name, and the reasons a row
is rejected. The preview of the upload screen and the run use the same check."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.complaints.choices import FINAL_STATES, Channel, Importance, Justification, State

from .mapping import FIELD_KEYS, FIELDS
from .reading import Table

# A journal kept in another time zone may date a row a few hours ahead of our clock.
FUTURE_TOLERANCE = timedelta(days=1)
# The longest text each reference or short field holds (the models' max_length).
LIMITS = {"category": 200, "subcategory": 200, "product": 200, "organisation": 300, "contact_name": 300,
          "email": 254, "phone": 50, "region": 100, "order_reference": 100, "row_id": 100}

MONTHS = {
    name: number
    for number, names in enumerate([
        ("января", "январь", "янв", "january", "jan"), ("февраля", "февраль", "фев", "february", "feb"),
        ("марта", "март", "мар", "march", "mar"), ("апреля", "апрель", "апр", "april", "apr"),
        ("мая", "май", "may"), ("июня", "июнь", "июн", "june", "jun"), ("июля", "июль", "июл", "july", "jul"),
        ("августа", "август", "авг", "august", "aug"), ("сентября", "сентябрь", "сен", "сент", "september", "sep",
                                                       "sept"),
        ("октября", "октябрь", "окт", "october", "oct"), ("ноября", "ноябрь", "ноя", "november", "nov"),
        ("декабря", "декабрь", "дек", "december", "dec"),
    ], start=1)
    for name in names
}
ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
                 r"\s*(Z|[+-]\d{2}:?\d{2})?")
DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")
WORDS = re.compile(r"(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})(?:\s*г(?:ода|\.)?)?(?:,?\s+(\d{1,2}):(\d{2}))?")
WORDS_US = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")

# Values journals use for the channel, the state and the classification, beside our own codes and
# labels (in every UI language): the CFPB's, and the common Russian words.
CHANNEL_WORDS = {
    "web": Channel.WEB_FORM, "website": Channel.WEB_FORM, "сайт": Channel.WEB_FORM, "веб форма": Channel.WEB_FORM,
    "форма на сайте": Channel.WEB_FORM, "referral": Channel.LETTER, "postal mail": Channel.LETTER,
    "mail": Channel.LETTER, "post": Channel.LETTER, "почта": Channel.LETTER, "письмо": Channel.LETTER,
    "телефон": Channel.PHONE, "звонок": Channel.PHONE, "email": Channel.EMAIL, "e mail": Channel.EMAIL,
    "эл почта": Channel.EMAIL, "электронная почта": Channel.EMAIL, "fax": Channel.FAX, "факс": Channel.FAX,
    "лично": Channel.IN_PERSON, "личный прием": Channel.IN_PERSON, "in person": Channel.IN_PERSON,
    "servicemember portal": Channel.WEB_FORM, "web referral": Channel.WEB_FORM, "телеграм": Channel.MESSENGER,
    "telegram": Channel.MESSENGER, "whatsapp": Channel.MESSENGER, "вконтакте": Channel.SOCIAL, "vk": Channel.SOCIAL,
    "соцсети": Channel.SOCIAL, "chat": Channel.MESSENGER, "чат": Channel.MESSENGER,
}
STATE_WORDS = {
    "closed with explanation": State.CLOSED, "closed with monetary relief": State.CLOSED,
    "closed with non monetary relief": State.CLOSED, "closed with relief": State.CLOSED,
    "closed without relief": State.CLOSED, "closed": State.CLOSED, "untimely response": State.CLOSED,
    "in progress": State.INVESTIGATING, "open": State.REGISTERED, "new": State.REGISTERED,
    "закрыта": State.CLOSED, "закрыто": State.CLOSED, "закрыт": State.CLOSED, "решена": State.RESOLVED,
    "в работе": State.INVESTIGATING, "новая": State.REGISTERED, "новое": State.REGISTERED,
    "отозвана": State.WITHDRAWN, "дубликат": State.DUPLICATE, "дубль": State.DUPLICATE, "отвечена": State.ANSWERED,
    "ответ дан": State.ANSWERED, "answered": State.ANSWERED, "resolved": State.RESOLVED,
}
JUSTIFICATION_WORDS = {
    "да": Justification.JUSTIFIED, "yes": Justification.JUSTIFIED, "обоснована": Justification.JUSTIFIED,
    "нет": Justification.UNJUSTIFIED, "no": Justification.UNJUSTIFIED, "необоснована": Justification.UNJUSTIFIED,
    "не обоснована": Justification.UNJUSTIFIED, "частично": Justification.PARTLY,
    "частично обоснована": Justification.PARTLY, "partly": Justification.PARTLY,
}
# The negative-emotion label: yes or no in any of the UI's languages ("" for none).
NEGATIVE_WORDS = {
    "yes": True, "y": True, "1": True, "true": True, "negative": True, "да": True, "негатив": True,
    "негативная": True, "այո": True,
    "no": False, "n": False, "0": False, "false": False, "нет": False, "ոչ": False,
}
IMPORTANCE_WORDS = {
    "низкая": Importance.LOW, "средняя": Importance.MEDIUM, "высокая": Importance.HIGH,
    "критическая": Importance.CRITICAL, "normal": Importance.MEDIUM, "обычная": Importance.MEDIUM,
    "urgent": Importance.HIGH, "срочная": Importance.HIGH,
}
# A row whose channel or importance column is blank (or not mapped) gets these.
DEFAULT_CHANNEL = Channel.LETTER
DEFAULT_IMPORTANCE = Importance.MEDIUM
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class PreviewRow:
    number: int
    values: dict[str, str]  # by field key
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CardRow:
    """A row that passed the check: what its card is made of."""

    number: int
    row_id: str
    received_at: datetime
    wording: str
    category: str
    subcategory: str
    product: str
    organisation: str
    contact_name: str
    email: str
    phone: str
    region: str
    channel: str
    state: str
    closed_at: datetime | None
    justification: str
    importance: str
    order_reference: str
    actions_taken: str
    answer: str
    negative: bool | None = None  # the journal's negative-emotion label, when it has one


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower().replace("ё", "е")).split())


def _zone():
    # Django's cached ZoneInfo of TIME_ZONE: reading the setting for each date cost a tenth of the check.
    return timezone.get_default_timezone()


@lru_cache(maxsize=65536)
def date_parse(text: str) -> datetime | None:
    """A date (and time) as journals write it, aware in the site's time zone when it names none:
    2024-12-31, 2024-12-31 14:05, 2024-12-31T14:05:00+03:00, 31.12.2024, 31.12.2024 14:05,
    31 декабря 2024 (г.), 12/31/2024 (CFPB, month first). None when it is no date."""
    text = text.strip()
    try:
        if match := ISO.fullmatch(text):
            year, month, day, hour, minute, second, offset = match.groups()
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
            if offset:
                return datetime.fromisoformat(moment.isoformat() + ("+00:00" if offset == "Z" else offset))
            return moment.replace(tzinfo=_zone())
        if match := DOTTED.fullmatch(text):
            day, month, year, hour, minute, second = match.groups()
            return datetime(_year(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                            tzinfo=_zone())
        if match := US.fullmatch(text):
            month, day, year, hour, minute, second, half = match.groups()
            hours = int(hour or 0) % 12 + 12 if half and half.lower() == "pm" else int(hour or 0) % (12 if half else 24)
            return datetime(_year(year), int(month), int(day), hours, int(minute or 0), int(second or 0),
                            tzinfo=_zone())
        if match := WORDS.fullmatch(text.lower()):
            day, month_name, year, hour, minute = match.groups()
            month = MONTHS.get(month_name)
            return None if month is None else datetime(int(year), month, int(day), int(hour or 0), int(minute or 0),
                                                       tzinfo=_zone())
        if match := WORDS_US.fullmatch(text.lower()):
            month_name, day, year = match.groups()
            month = MONTHS.get(month_name)
            return None if month is None else datetime(int(year), month, int(day), tzinfo=_zone())
    except ValueError:  # 31.02.2024, hour 25
        return None
    return None


def _year(text: str) -> int:
    return int(text) + (2000 if int(text) < 70 else 1900) if len(text) == 2 else int(text)


@lru_cache(maxsize=4)
def _choice_words(language_key: str) -> dict[str, dict[str, str]]:
    """Folded word -> code for each choice field: the codes, their labels in every UI language, the extra words."""
    tables: dict[str, dict[str, str]] = {}
    for name, choices, extra in (("channel", Channel, CHANNEL_WORDS), ("state", State, STATE_WORDS),
                                 ("justification", Justification, JUSTIFICATION_WORDS),
                                 ("importance", Importance, IMPORTANCE_WORDS)):
        words = {fold(code): code for code in choices.values}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                words.update({fold(str(label)): code for code, label in choices.choices})
        words.update({fold(word): str(code) for word, code in extra.items()})
        tables[name] = words
    return tables


@lru_cache(maxsize=4096)
def choice_value(name: str, text: str) -> str | None:
    """The code a journal's value stands for in the choice field `name`, None when unknown."""
    return _choice_words("all")[name].get(fold(text))


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


class RowChecker:
    """Checks rows against one moment "now" (a row dated after it is in the future)."""

    def __init__(self, columns: dict[str, str], *, header: list[str] | None = None, now: datetime | None = None):
        self.columns = {key: column for key, column in columns.items() if key in FIELD_KEYS and column}
        self.latest = (now or timezone.now()) + FUTURE_TOLERANCE
        position = {column: index for index, column in enumerate(header or [])}
        self.positions = [(key, position.get(self.columns.get(key, ""), -1)) for key in FIELD_KEYS]

    def values(self, cells: dict[str, str]) -> dict[str, str]:
        """The row's values by field key (every field, "" where no column fills it)."""
        return {key: (cells.get(self.columns[key], "") or "").strip() if key in self.columns else ""
                for key in FIELD_KEYS}

    def values_listed(self, cells: list[str]) -> dict[str, str]:
        """values() of a row read as a list in the order of the `header` given."""
        return {key: cells[index].strip() if index >= 0 else "" for key, index in self.positions}

    def check(self, number: int, values: dict[str, str]) -> tuple[CardRow | None, list[str]]:
        """The card the row makes, or None with the reasons it is rejected."""
        problems: list[str] = []
        if "\ufffd" in "".join(values.values()):
            problems.append(_("The row holds bytes that are not text in the file's encoding."))
        received_text = values["received_at"]
        received_at = date_parse(received_text) if received_text else None
        if not received_text:
            problems.append(_("No date received."))
        elif received_at is None:
            problems.append(_("Date received “%(value)s” is not a date.") % {"value": received_text[:40]})
        elif received_at > self.latest:
            problems.append(_("Date received %(value)s is in the future.") % {"value": received_text[:40]})
        closed_text, closed_at = values["closed_at"], None
        if closed_text:
            closed_at = date_parse(closed_text)
            if closed_at is None:
                problems.append(_("Closing date “%(value)s” is not a date.") % {"value": closed_text[:40]})
            elif closed_at > self.latest:
                problems.append(_("Closing date %(value)s is in the future.") % {"value": closed_text[:40]})
            elif received_at is not None and closed_at < received_at:
                if closed_at.date() == received_at.date():
                    closed_at = received_at  # closed the day it came, the time not written
                else:
                    problems.append(_("Closed before it was received."))
        wording = values["wording"] or " › ".join(part for part in (values["category"], values["subcategory"]) if part)
        if not wording:
            problems.append(_("No customer's wording (and no category to stand for it)."))
        codes = {}
        for name, default in (("channel", DEFAULT_CHANNEL), ("state", ""), ("justification", ""),
                              ("importance", DEFAULT_IMPORTANCE)):
            text = values[name]
            codes[name] = (choice_value(name, text) if text else default) or ""
            if text and not codes[name]:
                problems.append(_("%(field)s “%(value)s” is not known.") % {
                    "field": _field_label(name), "value": text[:60]})
        for name, limit in LIMITS.items():
            if len(values[name]) > limit:
                problems.append(_("%(field)s is longer than %(limit)s characters.") % {
                    "field": _field_label(name), "limit": limit})
        negative = NEGATIVE_WORDS.get(fold(values["negative"])) if values["negative"] else None
        if values["negative"] and negative is None:
            problems.append(_("%(field)s “%(value)s” is neither yes nor no.") % {
                "field": _field_label("negative"), "value": values["negative"][:60]})
        email = values["email"]
        if email and not _email_valid(email):
            problems.append(_("E-mail “%(value)s” is not an address.") % {"value": email[:60]})
        if problems:
            return None, problems
        state = codes["state"] or (State.CLOSED if closed_at else State.REGISTERED)
        if state in FINAL_STATES and closed_at is None:
            closed_at = received_at  # a closed card with no closing date: closed the day it came
        assert received_at is not None
        return CardRow(
            number=number, row_id=values["row_id"], received_at=received_at, wording=wording,
            category=values["category"], subcategory=values["subcategory"], product=values["product"],
            organisation=values["organisation"], contact_name=values["contact_name"], email=email.lower(),
            phone=values["phone"], region=values["region"], channel=codes["channel"], state=state,
            closed_at=closed_at if state in FINAL_STATES else None, justification=codes["justification"],
            importance=codes["importance"], order_reference=values["order_reference"],
            actions_taken=values["actions_taken"], answer=values["answer"], negative=negative,
        ), []


@lru_cache(maxsize=65536)
def _email_valid(email: str) -> bool:
    if not EMAIL_SHAPE.fullmatch(email):
        return False
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _field_label(key: str) -> str:
    return next(str(field.label) for field in FIELDS if field.key == key)


def rows_preview(table: Table, columns: dict[str, str], *, limit: int = 20) -> list[PreviewRow]:
    """The first `limit` rows with the mapped fields and the problems that would reject them."""
    checker = RowChecker(columns)
    missing = [str(field.label) for field in FIELDS if field.required and not columns.get(field.key)]
    preview = []
    for number, cells in table.rows():
        values = checker.values(cells)
        _card, problems = checker.check(number, values)
        if missing:
            problems.insert(0, _("No column is chosen for: %(fields)s.") % {"fields": ", ".join(missing)})
        preview.append(PreviewRow(number=number, values=values, problems=problems))
        if len(preview) >= limit:
            break
    return preview
