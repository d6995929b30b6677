"""Placeholder of the records part's record page (its branch has the real one)."""

from django.contrib.auth.decorators import login_required

from ..record_page import record_for_request, record_render


@login_required
def record(request, number: str):
    return record_render(request, record_for_request(request, number))
