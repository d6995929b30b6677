"""The classifier itself, without the database: a single card is scored with the weights taken out of
the SVM, and must get exactly what the sklearn pipeline gives a batch."""

import pickle
import random

import numpy as np

from amends.triage.learning.classifier import BATCH, TextClassifier, classifier_fit, prepared, scores_of

from .learning_corpus import WORDS, text_of


def corpus(names: list[str], count: int) -> tuple[list[str], list[str]]:
    rng = random.Random(5)
    labels = [names[i % len(names)] for i in range(count)]
    return [text_of(label, rng) for label in labels], labels


def test_one_text_scores_as_the_pipeline_scores_it():
    for names in (list(WORDS), ["Delivery", "Staff"]):  # several classes; two, where the SVM has one score
        texts, labels = corpus(names, 90)
        classifier = classifier_fit(texts, labels, validation=18)
        new = ["Курьер опоздал, посылка не пришла", "The manager was rude", "zzz qqq", "Товар сломался снова!"]
        batch = scores_of(classifier.svm, classifier.features.transform(prepared(new)))
        one_by_one = np.array([classifier.scores(text) for text in prepared(new)])
        assert one_by_one.shape == (4, len(names))
        np.testing.assert_allclose(one_by_one, batch, rtol=1e-5, atol=1e-6)
        # Fewer than BATCH texts go one by one, more through the pipeline: the same confidences.
        many = new * (BATCH // len(new) + 1)
        np.testing.assert_allclose(classifier.probabilities(many)[:4], classifier.probabilities(new), atol=1e-6)


def test_a_text_with_no_known_word_gets_the_intercepts_only():
    texts, labels = corpus(list(WORDS), 60)
    classifier = classifier_fit(texts, labels, validation=12)
    np.testing.assert_allclose(classifier.scores("ъъъ"), classifier.svm.intercept_)


def test_the_weights_taken_out_are_not_written_to_the_model_file():
    texts, labels = corpus(list(WORDS), 60)
    classifier = classifier_fit(texts, labels, validation=12)
    size = len(pickle.dumps(classifier))
    expected = classifier.top(["Курьер опоздал"])
    assert len(pickle.dumps(classifier)) == size  # the cache the call built is left out
    assert pickle.loads(pickle.dumps(classifier)).top(["Курьер опоздал"]) == expected


def test_the_organisation_decides_what_the_words_leave_open():
    # The same words for both values; only the organisation tells them apart.
    rng = random.Random(3)
    texts = [" ".join(rng.sample(["please", "order", "again", "today", "shop", "sort it out"], 3)) for _ in range(80)]
    organisations = ["7" if i % 2 else "9" for i in range(80)]
    labels = ["Delivery" if organisation == "7" else "Staff" for organisation in organisations]
    classifier = classifier_fit(texts, labels, validation=16, organisations=organisations)
    assert classifier.organisations == {"7": 0, "9": 1}
    assert classifier.top(["order again please"], organisations=["7"])[0][0][0] == "Delivery"
    assert classifier.top(["order again please"], organisations=["9"])[0][0][0] == "Staff"
    # An organisation the model has not seen counts as none.
    np.testing.assert_allclose(classifier.probabilities(["order"], ["12"]), classifier.probabilities(["order"]))
    # One by one and in a batch, the organisation weighs the same.
    many = ["order again please"] * BATCH
    np.testing.assert_allclose(classifier.probabilities(many, ["7"] * BATCH)[0],
                               classifier.probabilities(many[:1], ["7"])[0], atol=1e-6)


def test_a_model_file_written_before_organisations_counted_still_predicts():
    texts, labels = corpus(list(WORDS), 60)
    classifier = classifier_fit(texts, labels, validation=12)
    state = classifier.__getstate__()
    del state["organisations"]
    old = TextClassifier.__new__(TextClassifier)
    old.__setstate__(state)
    assert old.top(["Курьер опоздал"], organisations=["3"]) == classifier.top(["Курьер опоздал"])


def test_candidates_are_judged_on_three_slices_each_after_the_cards_they_learned(monkeypatch):
    from amends.triage.learning import classifier as module

    fitted = []
    real_fit = module.svm_fit

    def spy(matrix, labels, c, weight=None):
        fitted.append((matrix.shape[0], c, weight))
        return real_fit(matrix, labels, c, weight)

    monkeypatch.setattr(module, "svm_fit", spy)
    texts, labels = corpus(list(WORDS), 120)
    classifier = classifier_fit(texts, labels, validation=20)
    # Per candidate, models of the 100, 80 and 60 oldest cards, judged on the 20 after each; then the
    # chosen one refitted on all 120.
    assert fitted[:3] == [(100, 0.1, None), (80, 0.1, None), (60, 0.1, None)]
    assert len(fitted) == 3 * 3 * 2 + 1
    chosen = classifier.hyper
    assert fitted[-1] == (120, chosen["C"], None if chosen["class_weight"] == "none" else chosen["class_weight"])
    assert chosen["folds"] == 3
