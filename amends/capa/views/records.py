"""Placeholder of the records part's record page (the card branch links to it)."""

from django.contrib.auth.decorators import login_required

from ..record_page import record_for_request, record_render


@login_required
def record(request, number: str):
    return record_render(request, record_for_request(request, number))
