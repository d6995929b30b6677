"""Placeholder of the records part's view (branch clocks only, so that deadlines link to the record):
the lead keeps the records part's file on merge."""

from django.contrib.auth.decorators import login_required

from ..record_page import record_for_request, record_render


@login_required
def record(request, number: str):
    return record_render(request, record_for_request(request, number))
