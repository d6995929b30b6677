import time

from django.http import HttpRequest, HttpResponse

from . import views
from .metrics import REQUEST_LATENCY

# Probes and scrapers reach a server by its own address, over plain HTTP: these are answered first,
# before ALLOWED_HOSTS and the HTTPS redirect would refuse them, and are not timed.
ENDPOINTS = {"/health/": views.health, "/ready/": views.ready, "/metrics": views.metrics}


class MonitoringMiddleware:
    """First in MIDDLEWARE: answers the monitoring endpoints, and times every other request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is not None:
            return endpoint(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        REQUEST_LATENCY.labels(
            view=match.view_name if match else "unresolved", method=_method(request.method),
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


def _method(method: str | None) -> str:
    """A bounded label: any other verb a client makes up is counted as "other"."""
    return method if method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} else "other"
