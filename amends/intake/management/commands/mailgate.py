"""`amends mailgate`: one e-mail on standard input from an MTA pipe (Postfix pipe(8), Exim, ...).

Exit 0 once the message is stored (committed, queued for the worker, which registers, threads,
ignores or quarantines it; one line on standard error says so). Exit 75 (EX_TEMPFAIL) when it
could not be stored, so the MTA keeps it and tries again. With --url the message is relayed to the running
app instead, without starting Django here (amends/intake/channels/email/relay.py).
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from amends.intake.channels.email.relay import EX_NOINPUT, EX_TEMPFAIL
from amends.intake.channels.email.services import NotStored, mailgate_deliver


class Command(BaseCommand):
    help = ("Read one e-mail (RFC 822) on standard input and keep it for the worker to register. "
            "`amends mailgate --url http://app [--secret-file F]` posts it to the running app instead, "
            "which is much quicker to start.")
    stealth_options = ("stdin",)
    requires_system_checks = []  # started once per message: keep it quick

    def handle(self, *args, **options):
        raw = (options.get("stdin") or sys.stdin.buffer).read()
        if not raw or raw.isspace():
            raise CommandError("mailgate: no message on standard input", returncode=EX_NOINPUT)
        try:
            line = mailgate_deliver(raw)
        except NotStored as error:
            raise CommandError(f"mailgate: {error}", returncode=EX_TEMPFAIL) from error
        self.stderr.write("mailgate: " + line)
