"""Benchmark, run by hand: `.venv/bin/python bench/tone.py`.

(a) Speed: the tone check of a 2,000-character letter (Russian, a few stop-phrases in it), on a fresh
    SQLite database migrated with the seeded stop-phrases: in process (`tone_check`), cold (the
    word-form cache emptied before each run) and warm (as while a person types: the words seen
    before), and through the HTMX endpoint (`answers:tone_check`) with Django's test client as a
    signed-in employee. p50 and p95 of each.
(b) Quality: precision and recall of the stop-phrase matcher on bench/data/tone_replies.jsonl
    (bench/tone_evaluation.py), per language, on the held-out fifth and on the whole set.
(c) The letter's PDF: bench/documents.py run as it is (a two-page letter, the same for post, the
    card, the DOCX); `--no-pdf` leaves it out.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR_DIR = tempfile.mkdtemp(prefix="amends-bench-tone-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
os.environ["AMENDS_VAR_DIR"] = VAR_DIR
os.environ["DEBUG"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.answers.tone import tone_check, word_keys  # noqa: E402
from bench.tone_evaluation import replies, score  # noqa: E402

RUNS = 200
PARAGRAPHS = [
    "Здравствуйте, Анна Сергеевна! Спасибо, что сообщили нам о задержке доставки заказа № 2026-000123.",
    "Мы проверили маршрут курьера: посылка пролежала на сортировочном складе в Твери четыре дня, "
    "потому что при передаче перевозчику была неверно указана зона доставки.",
    "К сожалению, мы не смогли помочь вам сразу, и вы должны были звонить нам несколько раз. Успокойтесь, "
    "такие правила у перевозчика, но это не наша вина.",
    "Приносим извинения за задержку. В качестве компенсации мы вернём стоимость доставки 450 рублей на "
    "вашу карту до 15 марта и добавим купон на 10 % к следующему заказу.",
    "Заказ будет доставлен 12 марта с 10:00 до 14:00; курьер позвонит вам за час до приезда.",
    "Если время вам не подходит, ответьте на это письмо, и мы подберём другое.",
    "Ваш менеджер — Мария Иванова, +7 912 345-67-89, m.ivanova@example.ru; она на связи по будням с 9 до 18.",
]


def letter_text() -> str:
    text = "\n\n".join(PARAGRAPHS)
    while len(text) < 2000:
        text += "\n\nМы благодарим вас за терпение и обязательно сообщим, когда заказ передадут курьеру."
    return text[:2000]


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def timed(run, before=None) -> list[float]:
    samples = []
    for _ in range(RUNS):
        if before:
            before()
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    text = letter_text()
    report = tone_check(text, "ru")
    print(f"letter: {len(text)} characters, {len(report.findings)} findings: "
          + "; ".join(finding.matched for finding in report.findings))

    print(f"\n(a) latency, {RUNS} runs each (targets: in process p95 < 30 ms, endpoint p95 < 80 ms)")
    print("  in process, cold word cache:", percentiles(timed(lambda: tone_check(text, "ru"), word_keys.cache_clear)))
    print("  in process, warm:           ", percentiles(timed(lambda: tone_check(text, "ru"))))
    typed = iter(range(RUNS))
    print("  in process, typing (a new word each run):",
          percentiles(timed(lambda: tone_check(f"{text} слово{next(typed)}", "ru"))))
    setup_test_environment()
    user = User.objects.create_user(username="bench-tone", password="x")
    client = Client()
    client.force_login(user)
    url = reverse("answers:tone_check")
    response = client.post(url, {"text": text, "language": "ru"})
    assert response.status_code == 200 and b"tone-finding" in response.content
    posted = {"text": text, "language": "ru"}
    print("  HTMX endpoint (test client): ", percentiles(timed(lambda: client.post(url, posted))))

    print("\n(b) stop-phrase matcher on bench/data/tone_replies.jsonl (targets: precision and recall >= 0.95)")
    for split in ("holdout", None):
        rows = replies(split)
        scores = score(rows)
        print(f"  {split or 'whole set'}: {len(rows)} replies, "
              f"{sum(bool(row['phrases']) for row in rows)} with stop-phrases")
        for language, current in scores.items():
            print(f"    {language}: precision {current.precision:.3f}, recall {current.recall:.3f} "
                  f"(TP {current.true_positives}, FP {current.false_positives}, FN {current.false_negatives})")
        for error in scores["all"].errors:
            print("    miss:", error)

    if "--no-pdf" not in sys.argv:
        print("\n(c) documents (target: a two-page letter's PDF under 1 s)", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "documents.py"), "--renders", "10"], check=True)


if __name__ == "__main__":
    main()
