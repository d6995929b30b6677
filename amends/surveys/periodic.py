"""The seeds' periodic campaigns (DOMAIN.md §8): every six months all active customers, every quarter
the customers whose last K was low. The hourly job starts each once per period."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .audience import active_customers, low_k_customers
from .campaigns import campaign_create, campaign_start
from .choices import CampaignKind
from .figures import quarter_key
from .models import Campaign, Invitation
from .models.policy import policy


def half_year_key(day) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def campaigns_sweep(now: datetime | None = None) -> list[Campaign]:
    """Start the six-monthly campaign of the half-year and the quarterly one of the quarter `now`
    falls in, those not started yet; nothing without a periodic questionnaire with a published version.
    In the first quarter of a half-year the quarterly one leaves out the customers the six-monthly one asks."""
    now = now or timezone.now()
    questionnaire = policy().periodic
    version = questionnaire.current_version() if questionnaire is not None else None
    if version is None:
        return []
    day = timezone.localdate(now)
    started = []
    half_year = Campaign.objects.filter(kind=CampaignKind.SEMIANNUAL, period=half_year_key(day)).first()
    if half_year is None:
        half_year = _start(CampaignKind.SEMIANNUAL, half_year_key(day), version, active_customers(now))
        started += [half_year] if half_year else []
    quarter = quarter_key(day)
    if not Campaign.objects.filter(kind=CampaignKind.QUARTERLY_LOW, period=quarter).exists():
        low = low_k_customers(now)
        if half_year is not None and (day.month - 1) % 6 < 3:  # the half-year's first quarter
            low = low.exclude(pk__in=Invitation.objects.filter(campaign=half_year).values("contact_id"))
        started += [campaign] if (campaign := _start(CampaignKind.QUARTERLY_LOW, quarter, version, low)) else []
    return started


def _start(kind: str, period: str, version, contacts) -> Campaign | None:
    """None when another worker started it a moment ago."""
    try:
        with transaction.atomic():
            campaign = campaign_create(kind=kind, version=version, period=period, contacts=contacts)
            return campaign_start(campaign, actor=None)
    except IntegrityError:
        return None
