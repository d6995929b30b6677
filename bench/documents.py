"""Benchmark, run by hand: `.venv/bin/python bench/documents.py [--renders 20]`.

On a fresh SQLite database in a temporary folder: migrate, collect the static files, write a
letterhead with a PNG logo, a card with a customer, a two-page letter (Russian) with a signer and
an enclosure, and sign the card off. Then render the letter's PDF, the same for post, the card's
PDF and the letter's DOCX, each `--renders` times after one warm-up render (as a server worker
renders after its first request), and print p50 / p95 / max in milliseconds and the page count.
Target: a two-page letter's PDF under 1 s.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--renders", type=int, default=20)
parser.add_argument("--keep", action="store_true", help="keep the temporary folder (the PDFs are in it)")
options = parser.parse_args()

VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["AMENDS_VAR_DIR"] = VAR_DIR
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.accounts.roles import Role  # noqa: E402
from amends.answers.choices import Outcome  # noqa: E402
from amends.answers.documents import card_pdf, letter_docx, letter_pdf  # noqa: E402
from amends.answers.models import Letter, Letterhead  # noqa: E402
from amends.complaints.choices import Channel, Signatory  # noqa: E402
from amends.complaints.models import SignOff  # noqa: E402
from amends.complaints.services import attachment_store, complaint_register  # noqa: E402
from amends.customers.services import contact_create  # noqa: E402

PARAGRAPH = ("Благодарим вас за обращение и за терпение, с которым вы ждали ответа. Мы проверили заказ, "
             "поговорили с курьерской службой и выяснили, почему доставка опоздала на три дня. ")


def say(text: str = "") -> None:
    print(text, flush=True)


def world() -> tuple[Letter, object]:
    logo = BytesIO()
    Image.new("RGB", (800, 240), (20, 90, 160)).save(logo, "PNG")
    head = Letterhead(name="ООО «Амендс Сервис»", registration="ОГРН 1027700132195, ИНН 7701234567",
                      address="123456, Москва, ул. Примерная, д. 1", phone="+7 495 123-45-67",
                      email="care@amends.example", website="amends.example")
    head.logo = SimpleUploadedFile("logo.png", logo.getvalue())
    head.full_clean()
    head.save()
    operator = User.objects.create_user("operator", first_name="Ольга")
    operator.groups.set([Group.objects.get(name=Role.OPERATOR)])
    signer = User.objects.create_user("petrova", first_name="Анна", last_name="Петрова", email="petrova@amends.example",
                                      position="Руководитель службы заботы", phone="+7 495 123-45-68")
    contact = contact_create(full_name="Иванов Иван Иванович", email="ivanov@example.ru",
                             organisation_name="ООО «Ромашка»")
    contact.address = "620000, Екатеринбург, ул. Ленина, д. 5, кв. 7"
    contact.save(update_fields=["address"])
    card = complaint_register(actor=operator, channel=Channel.LETTER, contact=contact,
                              wording="Доставка опоздала на три дня, курьер не перезвонил.")
    SignOff.objects.create(complaint=card, signatory=Signatory.QMS_HEAD, signed_by=signer, signed_at=timezone.now())
    letter = Letter.objects.create(
        complaint=card, outcome=Outcome.SATISFIED, language="ru", subject="Ответ на вашу жалобу",
        body="Уважаемый Иван Иванович!\n\n" + "\n\n".join([PARAGRAPH * 3] * 9) + "\n\nС уважением.", signed_by=signer,
    )
    letter.enclosures.add(attachment_store(card, SimpleUploadedFile("чек-12345.pdf", b"%PDF-1.4"), None))
    return letter, card


def pages(pdf: bytes) -> str:
    if not shutil.which("pdfinfo"):
        return "?"
    path = Path(VAR_DIR) / "measured.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))


def measure(name: str, render, is_pdf: bool = True) -> None:
    output = render()  # warm-up: fonts, templates, styles
    times = []
    for _ in range(options.renders):
        start = time.perf_counter()
        render()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    say(f"{name:<26} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   max {times[-1]:7.1f} ms   "
        f"pages {pages(output) if is_pdf else '-':>2}   {len(output) // 1024} KiB")


def main() -> None:
    say(f"Python {platform.python_version()}, {os.cpu_count()} CPUs; {options.renders} renders each, after a warm-up")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the card's print.css, by its hashed name
    letter, card = world()
    measure("letter PDF", lambda: letter_pdf(letter))
    measure("letter PDF for post", lambda: letter_pdf(letter, for_post=True))
    measure("card PDF", lambda: card_pdf(card))
    measure("letter DOCX", lambda: letter_docx(letter), is_pdf=False)


try:
    main()
finally:
    if options.keep:
        say(f"kept {VAR_DIR}")
    else:
        shutil.rmtree(VAR_DIR, ignore_errors=True)
