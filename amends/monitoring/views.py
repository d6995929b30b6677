from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST

from .access import metrics_allowed
from .metrics import metrics_exposition
from .probes import readiness_check


def health(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is read, so a database outage never restarts the servers."""
    return JsonResponse({"status": "ok"})


def ready(request: HttpRequest) -> JsonResponse:
    readiness = readiness_check()
    if readiness.ready:
        return JsonResponse({"status": "ready"})
    return JsonResponse({"status": "not ready", "problems": readiness.problems}, status=503)


def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("Metrics need the token (AMENDS_METRICS_TOKEN) or an allowed address "
                            "(AMENDS_METRICS_ALLOW).\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)
