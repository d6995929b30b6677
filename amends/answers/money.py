"""Sums of money as a person reads them: in the active language's number format, with the currency."""

from decimal import Decimal

from django.conf import settings
from django.utils.formats import number_format


def currency() -> str:
    return settings.AMENDS_CURRENCY


def money_text(value: Decimal | str) -> str:
    """A sum as the active language writes it (1 500,00 / 1,500.00): the form a letter's check looks for."""
    return number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)


def money(value: Decimal | str, code: str = "") -> str:
    return f"{money_text(value)} {code or currency()}"
