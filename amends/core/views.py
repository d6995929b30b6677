from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on pages that name no icon (the admin's, files): the SVG one.
    Not a permanent redirect: the static file's name changes with its content."""
    return redirect(static("amends/favicon.svg"))
