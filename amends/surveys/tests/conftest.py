"""Fixtures every surveys test may use: a published questionnaire of four criteria, a campaign and
an invitation of the shared `contact` (the root conftest's)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.surveys.choices import CampaignKind, InvitationChannel, InvitationState
from amends.surveys.models import Campaign, Criterion, Invitation, Questionnaire, QuestionnaireVersion
from amends.surveys.tokens import invitation_key

CRITERIA = [
    ("reliability", "Надёжность оборудования", "Equipment reliability", "Սարքավորումների հուսալիություն"),
    ("delivery", "Сроки поставки", "Delivery times", "Առաքման ժամկետներ"),
    ("courtesy", "Вежливость персонала", "Staff courtesy", "Անձնակազմի քաղաքավարություն"),
    ("handling", "Скорость рассмотрения жалоб", "Speed of complaint handling", "Բողոքների քննարկման արագություն"),
]


@pytest.fixture
def version(db) -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(
        name="Удовлетворённость клиентов", name_en="Customer satisfaction", name_hy="Հաճախորդների գոհունակություն",
    )
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1, published_at=timezone.now())
    for order, (key, name, name_en, name_hy) in enumerate(CRITERIA):
        Criterion.objects.create(version=version, key=key, name=name, name_en=name_en, name_hy=name_hy, order=order)
    return version


@pytest.fixture
def criteria(version) -> dict[str, Criterion]:
    return {criterion.key: criterion for criterion in version.criteria.all()}


@pytest.fixture
def campaign(version) -> Campaign:
    return Campaign.objects.create(kind=CampaignKind.MANUAL, version=version, name="Test campaign")


@pytest.fixture
def invitation(campaign, contact) -> Invitation:
    return Invitation.objects.create(
        campaign=campaign, contact=contact, key=invitation_key(), language="ru", channel=InvitationChannel.EMAIL,
        state=InvitationState.SENT, sent_at=timezone.now(), expires_at=timezone.now() + timedelta(days=30),
    )
