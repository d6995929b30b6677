"""IMAP polling: fetch new mail from each active mailbox, keep it, register it, then mark it on the server.

A message is marked \\Seen (or moved to the processed folder) only after its card, or its
quarantine or ignore record, is committed. One that could not even be stored stays untouched
on the server and is fetched again by the next pass; one bad message never stops the rest.
Fetching uses BODY.PEEK[], which does not set \\Seen by itself.
"""

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from amends.intake.models import Mailbox

from .services import FINISHED, email_receive, email_reference, mailbox_source

logger = logging.getLogger(__name__)

FETCH_BATCH = 25  # messages per FETCH round trip
FETCH_BYTES = 20 * 1024 * 1024  # ... and at most this much mail in memory at once
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


def mailbox_poll(mailbox: Mailbox, *, limit: int = 1000) -> PollResult:
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


def mailboxes_poll(*, names: list[str] | None = None, limit: int = 1000) -> list[PollResult]:
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
    sizes = client.fetch(uids, [b"RFC822.SIZE"]) if uids else {}
    source = mailbox_source(mailbox.name)
    for batch in _batches(uids, {uid: item.get(b"RFC822.SIZE", 0) for uid, item in sizes.items()}):
        fetched = client.fetch(batch, [b"BODY.PEEK[]"])
        done = []
        for uid in batch:
            raw = fetched.get(uid, {}).get(b"BODY[]")
            if raw is None:
                continue  # expunged meanwhile by another client
            result.fetched += 1
            if _receive(raw, source, f"uid:{uidvalidity}:{uid}", result):
                done.append(uid)
        if done:
            _mark_processed(client, mailbox, done)


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


def _receive(raw: bytes, source: str, uid_reference: str, result: PollResult) -> bool:
    """Store and process one message; True when its outcome is committed and it may be marked."""
    try:
        receipt = email_receive(raw=raw, source=source, external_ref=email_reference(raw) or uid_reference)
    except Exception:  # noqa: BLE001 - e.g. the database is unavailable: leave it on the server
        logger.exception("Mail %s from %s could not be stored or processed", uid_reference, source)
        result.not_stored += 1
        return False
    status = receipt.message.status
    result.outcomes["already received" if receipt.replay else status] += 1
    return status in FINISHED


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
