"""Sums of money as a person reads them: in the active language's number format, with the currency."""

from decimal import Decimal

from django.conf import settings
from django.utils.formats import number_format


def currency() -> str:
    return settings.AMENDS_CURRENCY


def money(value: Decimal | str, code: str = "") -> str:
    return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} {code or currency()}"
