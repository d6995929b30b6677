import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Triage's tests read its reasons and labels in English; a test that needs another language
    overrides it inside."""
    with translation.override("en"):
        yield
