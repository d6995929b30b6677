"""The detector on real complaints (../shared/data), re-sent with realistic edits.

Runs on a small fixed-seed sample; bench/duplicates.py measures larger ones. Skipped when the
data folder is absent. Precision is asserted twice: strictly (every pool wording but the
original is a negative) and leaving out other wordings that share half their words with the
original, which in this data are one template filled in by several people or one appeal sent
twice — duplicates by text that nobody labelled (see evaluation.UNLABELLED_WORD_OVERLAP).
"""

import pytest

from amends.duplicates.services import DEFAULT_THRESHOLD
from bench import duplicates_evaluation as evaluation


@pytest.mark.parametrize("name", list(evaluation.DATASETS))
def test_the_detector_finds_resent_complaints_and_little_else(name):
    if not evaluation.data_available(name):
        pytest.skip(f"{evaluation.DATA_DIR} has no {name} data")
    labelled = evaluation.labelled_set(name, pool_size=300, queries=100, seed=7)
    assert len(labelled.queries) == 100 and len(labelled.pool) == 300

    outcome = evaluation.measure(labelled)

    precision, recall, _ = outcome.at(DEFAULT_THRESHOLD, strict=False)
    strict_precision, _, _ = outcome.at(DEFAULT_THRESHOLD)
    assert recall >= 0.9
    assert precision >= 0.95
    assert strict_precision >= 0.85


def test_the_labelled_set_is_reproducible_and_keeps_the_data_out_of_the_repository():
    if not evaluation.data_available("kursk"):
        pytest.skip(f"{evaluation.DATA_DIR} has no kursk data")
    first = evaluation.labelled_set("kursk", pool_size=50, queries=10, seed=3)
    again = evaluation.labelled_set("kursk", pool_size=50, queries=10, seed=3)
    assert [q.text for q in first.queries] == [q.text for q in again.queries]
    assert all(q.text != first.pool[q.target] for q in first.queries)
    assert not evaluation.DATA_DIR.is_relative_to(evaluation.Path(__file__).resolve().parents[3])


def test_edits_change_the_text_the_way_a_resend_does():
    import random

    text = "Первое предложение жалобы. Второе предложение, где номер 12345. Третье предложение о сроках."
    rng = random.Random(1)
    edited = {name: edit(text, rng, "ru") for name, edit in evaluation.EDITS.items()}
    assert edited["truncate"] == text[: len(edited["truncate"])] and len(edited["truncate"]) < len(text)
    assert edited["drop_sentence"].count(".") == text.count(".") - 1
    assert sorted(edited["move_sentence"].split(". ")) != text.split(". ")
    assert edited["greeting"].startswith(tuple(evaluation.GREETINGS["ru"])) and text in edited["greeting"]
    assert edited["case"] in (text.upper(), text.lower(), text.capitalize())
    assert "12345" not in edited["numbers"] or edited["numbers"].count("0") != text.count("0")
    for name, result in edited.items():
        assert result != text, name


def test_other_customers_alike_complaints_are_shown_as_similar_never_as_duplicates(operator):
    """Hard negatives from the CFPB data: two consumers (another state or ZIP) on the same company and
    issue, whose narratives meet in the band index, often one template filled in by each."""
    if not evaluation.data_available("cfpb"):
        pytest.skip(f"{evaluation.DATA_DIR} has no cfpb data")
    labelled = evaluation.customer_set(resends=30, negatives=60, seed=7)
    assert len(labelled.resends) == 30 and len(labelled.negatives) == 60
    # Hard indeed: by text alone, many of them would pass for duplicates.
    assert sum(n.score >= DEFAULT_THRESHOLD for n in labelled.negatives) >= 10

    outcome = evaluation.measure_customers(labelled, registered_by=operator)

    assert outcome.duplicate_call_rate() <= 0.02
    precision, recall = outcome.duplicates()
    assert precision >= 0.95 and recall >= 0.9
    similar_precision, similar_recall = outcome.similar_complaints()
    assert similar_precision >= 0.8 and similar_recall >= 0.8
