import os
import random
import subprocess
import sys

import pytest

from amends.core.tests.adversarial import TEXTS, within
from amends.duplicates import detector
from amends.duplicates.detector import Signature, normalise, score, signature

from .samples import EN, EN_OTHER, EN_RESENT, RU, RU_OTHER, RU_RESENT


def test_normalise_folds_case_yo_html_links_masks_and_figures():
    assert normalise("<p>Ёлка&nbsp;ЗЕЛЁНАЯ!</p>") == "елка зеленая"
    assert normalise("Paid {$860.00} on XX/XX/XXXX to XXXX XXXX, order 12345") == "paid 0 0 on to order 0"
    assert normalise("RT @mts_ru: нет связи https://t.co/abc и нет ответа *** ХХХ") == "нет связи и нет ответа"
    assert normalise("Write to a.b@example.com") == "write to"
    assert normalise("") == ""


def test_masked_names_and_changed_figures_do_not_change_the_wording():
    assert normalise("Звонил Иванову 12.03 в 10:15") != normalise("Звонил XXXX 13.04 в 11:20")
    assert normalise("Звонил XXXX 12.03 в 10:15") == normalise("звонил  xxxx 13.04 в 11:20")


@pytest.mark.parametrize(("original", "resent", "other"), [(RU, RU_RESENT, RU_OTHER), (EN, EN_RESENT, EN_OTHER)])
def test_a_resent_complaint_scores_high_and_another_on_the_same_topic_low(original, resent, other):
    a, b, c = signature(original), signature(resent), signature(other)
    assert score(a, b) >= 0.75
    assert score(a, c) < 0.3
    assert score(a, b) == pytest.approx(score(b, a))
    assert score(a, a) == 1.0


@pytest.mark.parametrize("text", [RU, EN])
def test_dropping_moving_or_truncating_sentences_keeps_a_high_score(text):
    sentences = text.split(". ")
    whole = signature(text)
    assert score(whole, signature(". ".join(sentences[1:]))) >= 0.65
    assert score(whole, signature(". ".join(reversed(sentences)))) >= 0.8
    assert score(whole, signature(text[: len(text) * 2 // 3])) >= 0.7


def test_near_duplicates_share_a_band_and_unrelated_wordings_do_not():
    assert set(signature(RU).bands) & set(signature(RU_RESENT).bands)
    assert set(signature(EN).bands) & set(signature(EN_RESENT).bands)
    assert not set(signature(RU).bands) & set(signature(RU_OTHER).bands)
    assert not set(signature(EN).bands) & set(signature(EN_OTHER).bands)
    assert len(signature(RU).bands) == detector.BANDS


def test_sketch_jaccard_is_exact_for_short_wordings_and_close_for_long_ones():
    rng = random.Random(3)
    words = [f"w{rng.randrange(5000)}" for _ in range(3000)]
    for size in (40, 400, 2500):
        a, b = " ".join(words[:size]), " ".join(words[size // 4: size + size // 4])
        sa, sb = detector.shingles(normalise(a)), detector.shingles(normalise(b))
        exact = len(sa & sb) / len(sa | sb)
        estimate = detector.jaccard(signature(a).sketch, signature(b).sketch)
        if len(sa) <= detector.SKETCH_SIZE and len(sb) <= detector.SKETCH_SIZE:
            assert estimate == exact
        else:
            assert estimate == pytest.approx(exact, abs=0.05)


def test_sketch_survives_storage_as_bytes():
    sig = signature(RU)
    assert Signature.sketch_from_bytes(sig.sketch_bytes()) == sig.sketch
    assert len(sig.sketch_bytes()) == 4 * len(sig.sketch)


def test_a_few_words_are_not_compared_by_text_but_keep_a_digest():
    short = signature("Нет связи")
    assert not short.comparable and short.bands == ()
    assert short.digest == signature("НЕТ СВЯЗИ!").digest
    assert signature("").size == 0 and score(signature(""), signature(RU)) == 0.0


def test_signatures_do_not_depend_on_the_process_hash_seed():
    """Stored signatures are compared across processes and restarts."""
    code = (
        "import sys; from amends.duplicates.detector import signature; "
        "s = signature(sys.argv[1]); print(s.digest, s.sketch[:20], s.bands)"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, RU], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    sig = signature(RU)
    assert outputs == {f"{sig.digest} {sig.sketch[:20]} {sig.bands}\n"}


@pytest.mark.parametrize("name", TEXTS)
def test_the_normaliser_takes_a_hostile_megabyte_in_time(name):
    with within(2):
        normalise(TEXTS[name])


@pytest.mark.parametrize("name", TEXTS)
def test_a_hostile_megabyte_is_signed_in_time(name):
    with within(1):
        signature(TEXTS[name])


def test_only_the_start_of_a_long_wording_is_signed():
    start = " ".join(f"Курьер опоздал на {n} часов и не позвонил, заказ {n} потерян." for n in range(2000))
    assert len(start) > detector.SIGNED_CHARACTERS
    assert signature(start) == signature(start + " совсем другой текст" * 100_000)
    assert signature(start[:100]) != signature(start[:200])


def test_an_address_inside_a_run_is_still_removed_and_a_long_run_is_kept():
    assert normalise("write to a.b-c+d@mail.example.com now") == "write to now"
    assert normalise("a" * 5000) == "a" * 5000
