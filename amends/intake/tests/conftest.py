import pytest
from django.conf import settings


@pytest.fixture
def english(client):
    """A visitor whose pages come in English (the language cookie the public pages set)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
