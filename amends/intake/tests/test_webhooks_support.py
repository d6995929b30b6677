"""Helpers shared by the webhook tests (no tests here): stored payloads, sources, signed posts,
and a small fake of the platforms' HTTP APIs on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from django.urls import reverse

from amends.intake.channels.webhooks.signing import signature
from amends.intake.models import WebhookSource

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
# The secrets the stored payloads were made with (VK echoes its secret inside the body).
SECRETS = {"telegram": "tg-secret_2f9c81", "vk": "qY7cW2vLk9pE4tRz", "generic": "generic-signing-secret-5d1e"}


def payload(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def make_source(kind: str, name: str = "", **fields) -> WebhookSource:
    fields.setdefault("secret", SECRETS[kind])
    return WebhookSource.objects.create(name=name or f"{kind}-support", kind=kind, **fields)


def post(client, source: str, body: bytes, *, sign_with: str = "", headers: dict | None = None):
    headers = dict(headers or {})
    if sign_with:
        headers["X-Amends-Signature"] = signature(body, sign_with)
    return client.post(reverse("webhooks:receive", kwargs={"source": source}), data=body,
                       content_type="application/json", headers=headers)


def deliver(client, source: WebhookSource, name: str):
    """Post a stored payload the way its platform authenticates: Telegram's secret header, VK's
    secret in the body, an HMAC signature for the generic format."""
    body = payload(name)
    if source.kind == "telegram":
        return post(client, source.name, body, headers={"X-Telegram-Bot-Api-Secret-Token": source.secret})
    if source.kind == "vk":
        return post(client, source.name, body)
    return post(client, source.name, body, sign_with=source.secret)


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 in a thread of its own; subclasses give the request handler."""

    def _listen(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, monkeypatch):
        """For a fixture: `yield from server.serve(monkeypatch)`."""
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


class FakePlatform(LoopbackServer):
    """Records every request; answers like Telegram, VK or a generic API, or fails on demand."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.vk_error = False
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()} \
                    if "form" in self.headers.get("Content-Type", "") else {}
                platform.requests.append({
                    "path": self.path, "headers": dict(self.headers), "body": body,
                    "json": json.loads(body) if "json" in self.headers.get("Content-Type", "") else None,
                    "form": form,
                })
                self._answer(platform._response(self.path, len(platform.requests)))

            def _answer(self, data):
                encoded = json.dumps(data).encode()
                self.send_response(platform.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, *args):
                pass

        self._listen(Handler)

    def _response(self, path: str, number: int) -> dict:
        if self.status != 200:
            return {"ok": False, "error_code": self.status, "description": "Internal Server Error"}
        if path.endswith("/sendMessage"):
            return {"ok": True, "result": {"message_id": 9000 + number, "date": 1747724200, "text": "…"}}
        if path.endswith("/method/messages.send"):
            if self.vk_error:
                return {"error": {"error_code": 901, "error_msg": "Can't send messages for users without permission"}}
            return {"response": 7000 + number}
        return {"id": f"out-{number}"}

