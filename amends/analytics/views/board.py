"""Thin views: check access, parse the filters, ask the selectors, render."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def dashboard(request) -> HttpResponse:
    return HttpResponse("")


@login_required
def cards(request) -> HttpResponse:
    return HttpResponse("")
