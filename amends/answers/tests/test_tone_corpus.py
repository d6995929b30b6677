"""The stop-phrase matcher's precision and recall on the labelled replies (bench/tone_evaluation.py),
computed here: on the held-out fifth the phrases were not tuned on, and on the whole set."""

from collections import Counter

from bench.tone_evaluation import replies, score


def test_the_corpus_is_large_balanced_and_in_three_languages():
    rows = replies()
    assert len(rows) >= 300
    by_language = Counter(row["language"] for row in rows)
    assert set(by_language) == {"ru", "en", "hy"} and min(by_language.values()) >= 100
    with_phrases = sum(bool(row["phrases"]) for row in rows)
    assert 0.45 <= with_phrases / len(rows) <= 0.55


def test_held_out_replies_reach_the_target():
    scores = score(replies("holdout"))
    assert scores["all"].true_positives >= 30
    assert scores["all"].precision >= 0.95 and scores["all"].recall >= 0.95, scores["all"].errors


def test_every_language_reaches_the_target_on_the_whole_set():
    scores = score(replies())
    for language in ("ru", "en", "hy"):
        assert scores[language].precision >= 0.95 and scores[language].recall >= 0.95, (language, scores["all"].errors)
