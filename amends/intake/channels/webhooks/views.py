"""POST /intake/webhook/<source>/: a thin shell around webhook_receive."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .common import Reply
from .services import webhook_receive


@csrf_exempt
def receive(request: HttpRequest, source: str) -> HttpResponse:
    if request.method != "POST":
        return respond(Reply(405, {"ok": False, "error": "Webhooks are POSTed."}), Allow="POST")
    try:
        body = request.body
    except RequestDataTooBig:
        return respond(Reply(413, {"ok": False, "error": "The body is too large."}))
    return respond(webhook_receive(source_name=source, body=body, headers=request.headers))


def respond(reply: Reply, **headers: str) -> HttpResponse:
    if isinstance(reply.body, str):
        return HttpResponse(reply.body, status=reply.status, content_type="text/plain; charset=utf-8", headers=headers)
    return JsonResponse(reply.body, status=reply.status, headers=headers)
