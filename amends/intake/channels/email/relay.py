"""`amends mailgate --url <the app>`: hand one message from an MTA pipe to the running app over HTTP.

An MTA starts the mailgate once per message. Starting Django costs about a second each time;
this path imports only the standard library, so a message costs a Python start plus the app's
own work. The app answers 200 only once the message is stored (committed, queued for the worker),
so exit 0 means what it means for the in-process mailgate. A message too large for the app exits 65 (EX_DATAERR), so
the MTA returns it to the sender; anything else, the app unreachable or misconfigured included,
exits 75 (EX_TEMPFAIL), so the MTA keeps the message and tries again.

The request is signed like a webhook (X-Amends-Signature, HMAC-SHA256 of the body) with the
secret the app has as AMENDS_MAILGATE_SECRET, read here from --secret-file or that variable.
"""

import argparse
import http.client
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from amends.intake.channels.webhooks.signing import SIGNATURE_HEADER, signature

EX_OK = 0
EX_DATAERR = 65
EX_NOINPUT = 66
EX_TEMPFAIL = 75
PATH = "/intake/mailgate/"


def relay(raw: bytes, *, url: str, secret: str, timeout: float) -> tuple[int, str]:
    """Post the message to the app at `url`; the exit code and one line for the MTA's log."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return EX_TEMPFAIL, f"--url must be the app's http(s) address, not {url!r}"
    if not secret:
        return EX_TEMPFAIL, "no secret: give --secret-file or set AMENDS_MAILGATE_SECRET"
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, port, timeout=timeout)
    try:
        connection.request("POST", parts.path.rstrip("/") + PATH, body=raw, headers={
            "Content-Type": "message/rfc822", SIGNATURE_HEADER: signature(raw, secret),
        })
        response = connection.getresponse()
        answer = response.read(4096).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException) as error:
        return EX_TEMPFAIL, f"the app at {url} did not answer, the MTA should retry: {type(error).__name__}: {error}"
    finally:
        connection.close()
    if response.status == 200:
        return EX_OK, answer
    if response.status == 413:
        return EX_DATAERR, answer
    return EX_TEMPFAIL, f"the app answered {response.status}, the MTA should retry: {answer}"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        # A mistake in the MTA's command line must keep the mail queued, not bounce it.
        self.exit(EX_TEMPFAIL, f"{self.prog}: {message}\n")


def main(argv: list[str]) -> int:
    parser = _Parser(prog="amends mailgate", description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the app's address, e.g. http://127.0.0.1:8000")
    parser.add_argument("--secret-file", help="a file holding AMENDS_MAILGATE_SECRET (else the variable is read)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the app (default 120)")
    args = parser.parse_args(argv)
    secret = os.environ.get("AMENDS_MAILGATE_SECRET", "")
    try:
        secret = Path(args.secret_file).read_text() if args.secret_file else secret
    except OSError as error:
        print(f"mailgate: cannot read the secret file: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    raw = sys.stdin.buffer.read()
    if not raw or raw.isspace():
        print("mailgate: no message on standard input", file=sys.stderr)
        return EX_NOINPUT
    code, line = relay(raw, url=args.url, secret=secret.strip(), timeout=args.timeout)
    print(f"mailgate: {line}", file=sys.stderr)
    return code
