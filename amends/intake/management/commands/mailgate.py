"""`amends mailgate`: one e-mail on standard input from an MTA pipe (Postfix pipe(8), Exim, ...).

Exit 0 once the message is stored, whatever became of it (registered, threaded, ignored or
quarantined; the outcome goes to standard error). Exit 75 (EX_TEMPFAIL) when it could not be
stored, so the MTA keeps it and tries again.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from amends.intake.channels.email.services import MAILGATE_SOURCE, describe, email_process, email_store

EX_NOINPUT = 66
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one e-mail (RFC 822) on standard input, keep it and register or thread it."
    stealth_options = ("stdin",)
    requires_system_checks = []  # started once per message: keep it quick

    def handle(self, *args, **options):
        raw = (options.get("stdin") or sys.stdin.buffer).read()
        if not raw or raw.isspace():
            raise CommandError("mailgate: no message on standard input", returncode=EX_NOINPUT)
        try:
            receipt = email_store(raw=raw, source=MAILGATE_SOURCE)
        except Exception as error:
            raise CommandError(
                f"mailgate: the message could not be stored, the MTA should retry: {error}", returncode=EX_TEMPFAIL,
            ) from error
        try:
            message = email_process(receipt.message)
        except Exception as error:  # noqa: BLE001 - it is stored; `poll_mail` processes it again later
            self.stderr.write(f"mailgate: inbound message #{receipt.message.pk} is kept; processing failed "
                              f"and will be retried: {type(error).__name__}: {error}")
            return
        self.stderr.write("mailgate: " + describe(receipt._replace(message=message)))
