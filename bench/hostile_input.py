"""Benchmark, run by hand: `.venv/bin/python bench/hostile_input.py [--cap 10] [--size 1000000]`.

Issue 12 item 2: how long the intake and duplicate paths take over hostile texts (long runs of
letters, digits, dots, "@", "<", quote markers, attribution-like lines; amends/core/tests/adversarial.py),
stage by stage, without a database: the duplicate normaliser, the duplicate signature, the
quoted-reply cut, and the e-mail parser over a text/plain and a text/html body. Each run is cut
at --cap seconds (printed as ">cap"), so the unfixed code finishes too.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from amends.core.budget import TimeBudgetExceeded, time_budget  # noqa: E402
from amends.core.tests import adversarial  # noqa: E402
from amends.duplicates.detector import normalise, signature  # noqa: E402
from amends.intake.channels.email.parser import parse_email  # noqa: E402
from amends.intake.channels.email.text import strip_quoted  # noqa: E402


def mail(body: str, content_type: str) -> bytes:
    head = "From: Anna <anna@example.ru>\r\nSubject: Complaint\r\nMessage-ID: <bench@example.ru>\r\n"
    return f"{head}Content-Type: {content_type}; charset=utf-8\r\n\r\n{body}".encode()


STAGES = {
    "normalise": normalise,
    "signature": signature,
    "strip_quoted": strip_quoted,
    "parse text/plain": lambda text: parse_email(mail(text, "text/plain")),
    "parse text/html": lambda text: parse_email(mail(text, "text/html")),
}


def timed(stage, text: str, cap: float) -> str:
    started = time.perf_counter()
    try:
        with time_budget(cap, "The stage"):
            stage(text)
    except TimeBudgetExceeded:
        return f">{cap:g}"
    return f"{time.perf_counter() - started:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cap", type=float, default=10, help="seconds after which a run is cut")
    parser.add_argument("--size", type=int, default=adversarial.SIZE, help="characters of each text")
    args = parser.parse_args()
    print(f"seconds per stage, texts of {args.size:,} characters (cut at {args.cap:g} s)")
    print(f"{'text':26}" + "".join(f"{name:>18}" for name in STAGES))
    for name, text in adversarial.TEXTS.items():
        text = (text * (args.size // len(text) + 1))[:args.size]
        print(f"{name:26}" + "".join(f"{timed(stage, text, args.cap):>18}" for stage in STAGES.values()), flush=True)
    print(f"{'issue: 40,000 letters':26}{timed(normalise, 'a' * 40_000, args.cap):>18}")


if __name__ == "__main__":
    main()
