"""Generated e-mail for the benchmarks: real Russian complaint texts in the charsets and shapes seen in
Russian mail (UTF-8, KOI8-R, Windows-1251 labelled and mislabelled, HTML-only, small attachments,
replies to earlier messages, a few auto-replies and broken messages). No Django here."""

import base64
import csv
import gzip
import random
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
FALLBACK = [
    "Привезли холодильник с вмятиной на двери, курьер отказался забрать его обратно.",
    "Прошу вернуть деньги за заказ: товар так и не доставили, хотя оплата прошла неделю назад.",
    "Кассир нагрубила и отказалась принять карту, хотя терминал работал.",
    "Чайник перестал включаться через два дня после покупки, в сервисе ремонт не принимают.",
]


def texts() -> list[str]:
    """Real Russian complaint texts from ../shared/data (HTML stripped), or a few built-in ones."""
    found = []
    for name in ("ru_kursk_citizen_appeals", "ru_sentirueval2016_bank_telecom_tweets"):
        path = DATA / name / f"{name}_dev.csv.gz"
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    text = re.sub(r"<[^>]+>|&nbsp;", " ", row["text"]).strip()
                    if 20 < len(text) < 3000:
                        found.append(text)
    return found or FALLBACK


def encoded_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset, 'replace')).decode()}?="


def b64_lines(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def generate(count: int, run: str, corpus: list[str], rng: random.Random) -> list[bytes]:
    """`count` messages; Message-IDs carry `run`, so the runs never see each other's mail as copies."""
    messages, sent = [], []
    for number in range(count):
        text = rng.choice(corpus).replace("\r", "")
        first, last = rng.choice(["Анна", "Олег", "Ирина", "Сергей", "Мария"]), rng.choice(["Петрова", "Иванов"])
        sender = f"customer{rng.randrange(300)}@example.ru"
        message_id = f"<{run}-{number}@bench.example.ru>"
        kind = rng.choices(
            ["utf8", "koi8", "cp1251", "mislabelled", "html", "attachment", "reply", "auto", "broken"],
            weights=[25, 15, 15, 5, 10, 10, 12, 5, 3],
        )[0]
        if kind == "reply" and not sent:
            kind = "utf8"
        charset = {"koi8": "koi8-r", "cp1251": "windows-1251", "mislabelled": "koi8-r"}.get(kind, "utf-8")
        body_charset = "windows-1251" if kind == "mislabelled" else charset
        subject = text[:60]
        head = [
            f"From: {encoded_word(f'{first} {last}', charset)} <{sender}>",
            "To: complaints@shop.example",
            f"Subject: {encoded_word(subject, charset)}",
            "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0300"),
            f"Message-ID: {message_id}",
            "MIME-Version: 1.0",
        ]
        if kind == "reply":
            original = rng.choice(sent)
            head += [f"In-Reply-To: {original}", f"References: {original}"]
            text = (f"Дополнение к жалобе: {text[:200]}\n\n"
                    "пн, 23 нояб. 2026 г. в 10:00, Магазин <a@shop.example>:\n> старое")
        if kind == "auto":
            head.append("Auto-Submitted: auto-replied")
        if kind == "broken":  # no subject, no parts: quarantined
            head = [line for line in head if not line.startswith("Subject:")]
            head.append('Content-Type: multipart/mixed; boundary="empty"')
            body = "--empty--\r\n"
        elif kind == "html":
            head += ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64"]
            html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n")) + "</body></html>"
            body = b64_lines(html.encode())
        elif kind == "attachment":
            head.append('Content-Type: multipart/mixed; boundary="part-b"')
            photo = bytes(rng.randrange(256) for _ in range(2000))
            body = (f"--part-b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                    f"{b64_lines(text.encode())}\r\n--part-b\r\nContent-Type: image/jpeg\r\n"
                    f"Content-Disposition: attachment; filename=\"photo{number}.jpg\"\r\n"
                    f"Content-Transfer-Encoding: base64\r\n\r\n{b64_lines(photo)}\r\n--part-b--\r\n")
        else:
            head += [f"Content-Type: text/plain; charset={charset}", "Content-Transfer-Encoding: 8bit"]
            body = None
        raw = "\r\n".join(head).encode() + b"\r\n\r\n"
        raw += text.encode(body_charset, "replace").replace(b"\n", b"\r\n") if body is None else body.encode()
        messages.append(raw)
        if kind not in ("auto", "broken"):
            sent.append(message_id)
    return messages
