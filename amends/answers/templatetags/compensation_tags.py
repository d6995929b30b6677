from decimal import Decimal, InvalidOperation

from django import template

from amends.answers.money import money as money_with_currency

register = template.Library()


@register.filter
def money(value, code: str = "") -> str:
    """A value (Decimal or its string, as notifications keep it) with the currency, in the reader's format."""
    if value is None or value == "" or value == "None":
        return "—"
    try:
        return money_with_currency(Decimal(value), code)
    except InvalidOperation:
        return str(value)
