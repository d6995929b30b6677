"""The card number in the pages' paths: a path that cannot name a card is answered 404 by the URL
resolver, before any query (PostgreSQL refuses a NUL in a query's text, which answered 500)."""

# YYYY-NNNNNN (services/registration.py); a year of over a million cards takes more digits.
NUMBER_PATTERN = "[0-9]{4}-[0-9]{6,9}"


class CardNumberConverter:
    """`<number:number>` in a path."""

    regex = NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
