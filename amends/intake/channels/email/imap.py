"""IMAP polling: fetch new mail from each active mailbox, keep it, then mark it on the server.

Messages are fetched many at a time (one FETCH) and stored with one insert per batch, queued for
the worker, which registers them. A message is marked \\Seen (or moved to the processed folder)
only once its bytes are committed. One that could not be stored stays untouched on the server and
is fetched again by the next pass; one bad message never stops the rest. Fetching uses
BODY.PEEK[], which does not set \\Seen by itself.
"""

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from amends.intake.models import Mailbox

from .services import Arrived, Receipt, email_store, emails_store, mailbox_source

logger = logging.getLogger(__name__)

FETCH_BATCH = 200  # messages per FETCH round trip and per insert
FETCH_BYTES = 20 * 1024 * 1024  # ... and at most this much mail in memory at once
# UIDs per FETCH of their sizes: the command line stays under the servers' limits (Dovecot's is 64 kB).
SIZES_AT_ONCE = 5000
POLL_LIMIT = 20000  # messages per mailbox and pass: the rest wait for the next pass
TIMEOUT = 30


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    outcomes: Counter = field(default_factory=Counter)  # status → count
    not_stored: int = 0  # left on the server for the next pass
    error: str = ""

    def summary(self) -> str:
        done = ", ".join(f"{status} {count}" for status, count in sorted(self.outcomes.items())) or "nothing new"
        line = f"{self.mailbox}: {self.fetched} fetched; {done}"
        if self.not_stored:
            line += f"; {self.not_stored} left on the server for the next pass"
        return line + (f"; error: {self.error}" if self.error else "")


def connect(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, timeout=TIMEOUT)
    client.login(mailbox.username, mailbox.password)
    return client


def mailbox_poll(mailbox: Mailbox, *, limit: int = POLL_LIMIT) -> PollResult:
    """One pass over one mailbox; connection and server errors end up in Mailbox.last_error."""
    result = PollResult(mailbox=mailbox.name)
    try:
        client = connect(mailbox)
        try:
            _poll(client, mailbox, result, limit)
        finally:
            _logout(client)
    except (IMAPClientError, OSError) as error:  # socket, TLS, login, protocol
        result.error = f"{type(error).__name__}: {error}"[:2000]
        logger.warning("Mailbox %s: %s", mailbox.name, result.error)
    except Exception as error:  # noqa: BLE001 - one mailbox's trouble must not stop the others
        result.error = f"{type(error).__name__}: {error}"[:2000]
        logger.exception("Mailbox %s failed", mailbox.name)
    if result.not_stored and not result.error:
        result.error = f"{result.not_stored} message(s) could not be stored; they stay on the server."
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=result.error)
    return result


def mailboxes_poll(*, names: list[str] | None = None, limit: int = POLL_LIMIT) -> list[PollResult]:
    """One pass over every active mailbox: what the worker runs every minute."""
    mailboxes = Mailbox.objects.filter(is_active=True)
    if names:
        mailboxes = mailboxes.filter(name__in=names)
    return [mailbox_poll(mailbox, limit=limit) for mailbox in mailboxes]


def _poll(client: IMAPClient, mailbox: Mailbox, result: PollResult, limit: int) -> None:
    selected = client.select_folder(mailbox.folder)
    uidvalidity = selected.get(b"UIDVALIDITY", 0)
    if mailbox.processed_folder and not client.folder_exists(mailbox.processed_folder):
        client.create_folder(mailbox.processed_folder)
    # Processed mail leaves the folder when it is moved, so then everything still there is new.
    criteria = ["NOT", "DELETED"] if mailbox.processed_folder else ["UNSEEN", "NOT", "DELETED"]
    uids = sorted(client.search(criteria))[:limit]
    sizes: dict[int, int] = {}
    for start in range(0, len(uids), SIZES_AT_ONCE):
        fetched = client.fetch(uids[start:start + SIZES_AT_ONCE], [b"RFC822.SIZE"])
        sizes.update((uid, item.get(b"RFC822.SIZE", 0)) for uid, item in fetched.items())
    source = mailbox_source(mailbox.name)
    for batch in _batches(uids, sizes):
        fetched = client.fetch(batch, [b"BODY.PEEK[]"])
        arrived = {uid: Arrived(fetched[uid][b"BODY[]"], f"uid:{uidvalidity}:{uid}")
                   for uid in batch if b"BODY[]" in fetched.get(uid, {})}  # not there: expunged meanwhile
        result.fetched += len(arrived)
        stored = _store(arrived, source, result)
        if stored:
            _mark_processed(client, mailbox, stored)


def _batches(uids: list[int], sizes: dict[int, int]) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if batch and (len(batch) >= FETCH_BATCH or total + size > FETCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def _store(arrived: dict[int, Arrived], source: str, result: PollResult) -> list[int]:
    """Keep the fetched messages, in one insert when they can; the UIDs of those kept (and so to be
    marked). Should the batch fail, each is stored on its own, and one the database refuses (or a
    database that is down) is left on the server for the next pass."""
    try:
        receipts = dict(zip(arrived, emails_store(list(arrived.values()), source=source), strict=True))
    except Exception:  # noqa: BLE001 - one by one, so that one bad message does not hold back the rest
        logger.warning("Mail from %s could not be stored as a batch; storing it one by one", source, exc_info=True)
        receipts = {}
        for uid, message in arrived.items():
            try:
                receipts[uid] = email_store(raw=message.raw, source=source, fallback_ref=message.fallback_ref)
            except Exception:  # noqa: BLE001 - e.g. the database is unavailable: leave it on the server
                logger.exception("Mail %s from %s could not be stored", message.fallback_ref, source)
                result.not_stored += 1
    for receipt in receipts.values():
        result.outcomes[_outcome(receipt)] += 1
    return list(receipts)


def _outcome(receipt: Receipt) -> str:
    return "already received" if receipt.replay else str(receipt.message.status)


def _mark_processed(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    client.add_flags(uids, [b"\\Seen"])
    if not mailbox.processed_folder:
        return
    if client.has_capability("MOVE"):
        client.move(uids, mailbox.processed_folder)
    else:
        client.copy(uids, mailbox.processed_folder)
        client.delete_messages(uids)
        if client.has_capability("UIDPLUS"):
            client.expunge(uids)
        else:
            client.expunge()


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except (IMAPClientError, OSError):
        pass
