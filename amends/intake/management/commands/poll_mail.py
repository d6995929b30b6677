"""`amends poll_mail [--once]`: fetch new mail from every active mailbox (IMAP).

With --once, one pass, then exit (1 when a mailbox could not be read); without it, a pass every
--interval seconds until stopped. New mail is stored and queued for the worker, which registers
it; each pass also processes again the mail a stopped worker left half-done. The worker calls the
same `mailboxes_poll` function every minute; a busy mailbox is better served by this command
running beside the workers with a short --interval.
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from amends.intake.channels.email.imap import mailboxes_poll
from amends.intake.channels.email.services import email_retry_pending

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fetch new mail from the configured IMAP mailboxes and keep it for the worker to register."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between passes (default 60).")
        parser.add_argument("--mailbox", action="append", dest="mailboxes", help="Only this mailbox (repeatable).")

    def handle(self, *args, once=False, interval=60, mailboxes=None, **options):
        if once:
            if not self.one_pass(mailboxes):
                raise CommandError("some mailboxes could not be read", returncode=1)
            return
        while True:
            try:
                self.one_pass(mailboxes)
            except Exception:  # noqa: BLE001 - e.g. the database restarting: try again next time
                logger.exception("Mail polling pass failed")
            time.sleep(max(interval, 1))

    def one_pass(self, mailboxes: list[str] | None) -> bool:
        """Poll; print a line per mailbox; True when every mailbox could be read."""
        results = mailboxes_poll(names=mailboxes)
        retried = email_retry_pending()
        for result in results:
            (self.stderr if result.error else self.stdout).write(result.summary())
        if retried:
            self.stdout.write(f"{retried} stored message(s) processed again")
        return not any(result.error for result in results)
