"""The order counts per month the QMS head enters, against which complaints per 1,000 orders are read."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from amends.accounts.access import PROCESS_OWNERS
from amends.accounts.models import User
from amends.audit.models import Action
from amends.audit.services import audit_record_object
from amends.core.errors import AccessDenied, ValidationError

from .models import MonthlyOrders

ORDER_MONTHS = 24


def access_orders(user: User) -> None:
    if not user.has_role(*PROCESS_OWNERS):
        raise AccessDenied("Only the head of the QMS and administrators enter the order counts.")


def order_months(today: date | None = None) -> list[date]:
    """The month of `today` and the 23 before it, newest first."""
    month = (today or timezone.localdate()).replace(day=1)
    months = []
    for _ in range(ORDER_MONTHS):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def orders_by_month(months: list[date]) -> dict[date, int]:
    return dict(MonthlyOrders.objects.filter(month__in=months).values_list("month", "orders"))


def orders_save(actor: User, counts: dict[date, int | None], now: datetime | None = None) -> int:
    """Sets each month's count (None clears it); returns how many months changed. Each change is audited."""
    access_orders(actor)
    if any(month.day != 1 for month in counts) or any(orders is not None and orders < 1 for orders in counts.values()):
        raise ValidationError("An order count is a positive number for a month's first day.")
    now, changed = now or timezone.now(), 0
    with transaction.atomic():
        stored = {row.month: row for row in MonthlyOrders.objects.select_for_update().filter(month__in=counts)}
        for month, orders in counts.items():
            row = stored.get(month)
            if row is None:
                if orders is None:
                    continue
                row = MonthlyOrders.objects.create(month=month, orders=orders, entered_by=actor, entered_at=now)
                audit_record_object(actor=actor, action=Action.CREATE, obj=row, changes={"orders": [None, orders]})
            elif orders is None:
                audit_record_object(actor=actor, action=Action.DELETE, obj=row, changes={"orders": [row.orders, None]})
                row.delete()
            elif row.orders != orders:
                before, row.orders, row.entered_by, row.entered_at = row.orders, orders, actor, now
                row.save(update_fields=["orders", "entered_by", "entered_at"])
                audit_record_object(actor=actor, action=Action.CHANGE, obj=row, changes={"orders": [before, orders]})
            else:
                continue
            changed += 1
    return changed
