"""Training a field's model, or the negative-emotion flag's: the company's cards split by time (the
older part trains, the newest part tests), figures on the test part beside the baselines, and the new
model put in use only when it does no worse on that test part than the model in use. What differs
between the two kinds (their cards, fit, figures and the score compared) is a Learner."""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from amends.core.pauses import pause_point

from ..model_files import ModelFileError
from ..models import NEGATIVE_MODEL, TriageModel
from .classifier import classifier_fit
from .data import Example, flag_examples, training_examples
from .evaluation import evaluation_build, scores
from .flag_model import flag_classifier_fit, flag_evaluation, flag_scores
from .names import value_names
from .prediction import active_model
from .store import model_file_save, model_load

TEST_SHARE = 0.2  # the newest fifth of the cards is held out
VALIDATION_SHARE = 0.2  # the newest fifth of the training part chooses the hyper-parameters
MIN_CARDS = 30  # AMENDS_TRIAGE_MIN_CARDS overrides
MIN_EXAMPLES = 2  # a value seen once can be neither learned nor tested
SCORE_NAMES = {"top1": "top-1", "f1": "F1"}


def _split(count: int) -> tuple[int, int]:
    """(training cards, of which validation): the rest, the newest, is the test part."""
    test = max(1, round(count * TEST_SHARE))
    training = count - test
    return training, max(1, round(training * VALIDATION_SHARE))


def _next_version(field: str) -> int:
    return (TriageModel.objects.filter(field=field).aggregate(last=Max("version"))["last"] or 0) + 1


def _refused(field: str, reason: str, *, cards: int, trained_on: int = 0) -> TriageModel:
    return TriageModel.objects.create(
        field=field, version=_next_version(field), trained_on=trained_on, rejected_reason=reason,
        evaluation={"cards": cards},
    )


@dataclass(frozen=True)
class Learner:
    """What differs between a field's model and the negative flag's: the cards, the fit, the figures and
    the score a new model must not lose on against the one in use."""

    examples: Callable[[str], list[Example]]
    # (training part, validation size) -> the classifier to store
    fit: Callable[[list[Example], int], Any]
    # (classifier, training part, test part) -> the evaluation
    evaluate: Callable[[Any, list[Example], list[Example]], dict]
    # (classifier, test part) -> its scores there, to compare a model in use with
    measure: Callable[[Any, list[Example]], dict]
    score: str
    # the evaluation -> why it is not worth using even with no model in use ("" when it is)
    floor: Callable[[dict], str]
    # (field, values) -> their names at training time
    names: Callable[[str, set[str]], dict[str, str]]


def _texts(part: list[Example]) -> list[str]:
    return [example.text for example in part]


def _labels(part: list[Example]) -> list[str]:
    return [example.label for example in part]


def _field_fit(train_part: list[Example], validation: int):
    return classifier_fit(_texts(train_part), _labels(train_part), validation=validation,
                          organisations=[e.organisation for e in train_part])


def _field_top(classifier, test_part: list[Example]) -> list[list[tuple[str, float]]]:
    return classifier.top(_texts(test_part), organisations=[e.organisation for e in test_part])


def _field_evaluate(classifier, train_part: list[Example], test_part: list[Example]) -> dict:
    return evaluation_build(
        train_texts=_texts(train_part), train_labels=_labels(train_part), test_texts=_texts(test_part),
        test_labels=_labels(test_part), choices=_field_top(classifier, test_part),
    )


def _field_measure(classifier, test_part: list[Example]) -> dict:
    return scores(_labels(test_part), [[v for v, _c in row] for row in _field_top(classifier, test_part)])


def _field_floor(evaluation: dict) -> str:
    majority = evaluation["baselines"]["majority"]["top1"]
    if evaluation["top1"] >= majority:
        return ""
    # Suggesting the most frequent value every time would be right more often: no suggestion is better.
    return _("No better than always suggesting the most frequent value: top-1 %(new).3f against "
             "%(majority).3f.") % {"new": evaluation["top1"], "majority": majority}


def _flag_floor(evaluation: dict) -> str:
    lists = evaluation["baselines"]["word_lists"]["f1"]
    if evaluation["f1"] > 0 and evaluation["f1"] >= lists:
        return ""
    # The word lists stay the reading until a model does better than they do on the same cards.
    return _("No better than the word lists on the held-out cards: F1 %(new).3f against %(lists).3f.") % {
        "new": evaluation["f1"], "lists": lists}


FIELD_LEARNER = Learner(
    examples=training_examples, fit=_field_fit, evaluate=_field_evaluate, measure=_field_measure, score="top1",
    floor=_field_floor, names=value_names,
)
FLAG_LEARNER = Learner(
    examples=lambda _field: flag_examples(),
    fit=lambda part, validation: flag_classifier_fit(_texts(part), _labels(part), validation=validation),
    evaluate=lambda classifier, _train, test: flag_evaluation(classifier, _texts(test), _labels(test)),
    measure=lambda classifier, test: flag_scores(classifier, _texts(test), _labels(test)),
    score="f1", floor=_flag_floor, names=lambda _field, _values: {},
)


def train(field: str, *, actor=None, progress=None) -> TriageModel:
    """Train, evaluate and store a new model of `field` (or of the negative flag, NEGATIVE_MODEL); it is
    put in use only if not worse than the one in use. `progress(step)` is told each step, for the
    command's progress bar."""
    told = progress or (lambda _step: None)
    learner = FLAG_LEARNER if field == NEGATIVE_MODEL else FIELD_LEARNER

    def step(name: str) -> None:
        pause_point()  # between the steps of a long training, the worker's intake goes first
        told(name)

    started = time.perf_counter()
    step("reading")
    examples = learner.examples(field)
    cards = len(examples)
    counts = Counter(example.label for example in examples)
    rare = sorted(value for value, count in counts.items() if count < MIN_EXAMPLES)
    examples = [example for example in examples if counts[example.label] >= MIN_EXAMPLES]
    minimum = getattr(settings, "AMENDS_TRIAGE_MIN_CARDS", MIN_CARDS)
    if len(examples) < minimum:
        return _refused(field, _("Too few classified cards: %(count)s, at least %(minimum)s are needed.") % {
            "count": len(examples), "minimum": minimum}, cards=cards, trained_on=len(examples))
    training_count, validation = _split(len(examples))
    train_part, test_part = examples[:training_count], examples[training_count:]
    if len({example.label for example in train_part}) < 2:
        return _refused(field, _("The training cards all have the same value: there is nothing to learn."),
                        cards=cards, trained_on=len(train_part))
    step("training")
    classifier = learner.fit(train_part, validation)
    seconds = time.perf_counter() - started
    step("evaluating")
    evaluation = learner.evaluate(classifier, train_part, test_part)
    evaluation.update({
        "cards": cards,
        "split": {
            "train": len(train_part) - validation, "validation": validation, "test": len(test_part),
            "train_from": train_part[0].received_at.isoformat(), "test_from": test_part[0].received_at.isoformat(),
            "test_to": test_part[-1].received_at.isoformat(),
        },
        "hyper": classifier.hyper,
        "rare_values": rare,
        "trained_by": getattr(actor, "username", "") if actor else "",
    })
    evaluation["names"] = learner.names(field, set(counts))
    step("comparing")
    current = active_model(field)
    reason = learner.floor(evaluation)
    if not reason and current is not None:
        try:
            previous = learner.measure(model_load(current), test_part)
        except ModelFileError:
            previous = None
        if previous is not None:
            evaluation["compared_with"] = {"model": current.pk, "version": current.version, **previous}
            if evaluation[learner.score] < previous[learner.score]:
                reason = _("Worse than version %(version)s on the same held-out cards: %(score)s %(new).3f "
                           "against %(old).3f.") % {
                    "version": current.version, "new": evaluation[learner.score], "old": previous[learner.score],
                    "score": SCORE_NAMES[learner.score]}
    step("storing")
    attempts = 3
    while True:
        try:
            return _store(field, classifier, evaluation, reason, train_part=len(train_part),
                          test_part=len(test_part), seconds=seconds)
        except IntegrityError:  # another training took the version number or put its model in use first
            attempts -= 1
            if not attempts:
                raise


def _store(field: str, classifier, evaluation: dict, reason: str, *, train_part: int, test_part: int,
           seconds: float) -> TriageModel:
    with transaction.atomic():
        model = TriageModel(
            field=field, version=_next_version(field), trained_on=train_part, tested_on=test_part,
            classes=len(classifier.classes), training_seconds=round(seconds, 2), evaluation=evaluation,
            rejected_reason=reason,
        )
        model_file_save(model, classifier)
        if not reason:
            TriageModel.objects.filter(field=field, active=True).update(active=False)
            model.active = True
        model.save()
    return model
