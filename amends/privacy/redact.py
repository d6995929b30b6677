"""What identifies a person in free text, and the text with it replaced.

An erasure knows the person (their contact rows) and the passages they wrote (the wording, their
messages); a `Redactor` replaces each in any text or JSON value it is given."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from amends.customers.models import Contact, phone_digits

ERASED = "[erased]"
# Shorter values would match ordinary words and numbers in other people's texts.
MIN_NAME, MIN_PASSAGE, MIN_ADDRESS, MIN_PHONE_DIGITS = 3, 20, 8, 7
# A phone's digits may be written with these between them: "+7 (912) 345-67-89".
_SEPARATORS = r"[\s\-().]{0,3}"


def _phone_pattern(digits: str) -> str:
    # The national part (last 10 digits) is what every spelling shares; the prefix (+7, 8) goes too.
    core = digits[-10:]
    body = _SEPARATORS.join(re.escape(digit) for digit in core)
    return rf"(?<!\d)(?:\+?\d{{1,3}}{_SEPARATORS})?{body}(?!\d)"


@dataclass
class Identity:
    """The values that identify one person, as they were before the erasure."""

    names: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)  # as typed
    addresses: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, contacts: Iterable[Contact]) -> "Identity":
        identity = cls()
        for contact in contacts:
            identity.names.add(contact.full_name.strip())
            identity.emails.add(contact.email.strip())
            identity.phones.update(value.strip() for value in (contact.phone, contact.fax))
            identity.addresses.add(contact.address.strip())
        identity.names = {name for name in identity.names if len(name) >= MIN_NAME}
        identity.emails = {email for email in identity.emails if "@" in email}
        identity.phones = {phone for phone in identity.phones if len(phone_digits(phone)) >= MIN_PHONE_DIGITS}
        identity.addresses = {address for address in identity.addresses if len(address) >= MIN_ADDRESS}
        return identity

    def full_names(self) -> set[str]:
        """Names of two words or more: a lone first name would match other people too."""
        return {name for name in self.names if len(name.split()) >= 2}

    def needles(self) -> set[str]:
        """The literal values a search of other people's data looks for (case-insensitively)."""
        values = self.full_names() | self.emails | self.addresses | self.phones
        return values | {phone_digits(phone) for phone in self.phones}


class Redactor:
    """Replaces the person's identifiers (names, e-mail addresses, phones in any spelling, addresses)
    and the given passages with ERASED. `passages` are texts the person wrote, which a card quotes
    elsewhere (an acknowledgement, a notification). On the person's own cards `name_parts` also
    takes each word of their name ("Dear Anna"); elsewhere only a full name of two words or more
    counts, since another customer may be called Anna too."""

    def __init__(self, identity: Identity, passages: Iterable[str] = (), *, name_parts: bool = True) -> None:
        patterns = [re.escape(text.strip()) for text in passages if len(text.strip()) >= MIN_PASSAGE]
        patterns += [re.escape(value) for value in identity.emails | identity.addresses]
        for name in identity.names if name_parts else identity.full_names():
            words = name.split()
            patterns.append(r"\s+".join(re.escape(word) for word in words))
            if name_parts:
                patterns += [rf"\b{re.escape(word)}\b" for word in words if len(word) >= MIN_NAME]
        patterns += [_phone_pattern(phone_digits(phone)) for phone in identity.phones]
        # Longest first, so a whole passage goes before a name inside it.
        patterns.sort(key=len, reverse=True)
        self._pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def text(self, value: str) -> str:
        if not value or self._pattern is None:
            return value
        return self._pattern.sub(ERASED, value)

    def json(self, value: object) -> object:
        """Every string in a JSON value redacted; keys stay, so a template still finds them."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.json(item) for key, item in value.items()}
        return value

    def mentions(self, value: str) -> bool:
        return bool(value) and self._pattern is not None and self._pattern.search(value) is not None


def json_spellings(value: str) -> set[str]:
    """How `value` may appear inside stored JSON text: as is, or with non-ASCII escaped."""
    return {value, json.dumps(value)[1:-1]}
