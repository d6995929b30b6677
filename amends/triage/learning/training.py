"""Training a field's model: the company's cards split by time (the older part trains, the newest
part tests), figures on the test part beside two baselines, and the new model put in use only when
it does no worse on that test part than the model in use."""

import time
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from amends.core.pauses import pause_point

from ..models import TriageModel
from .classifier import classifier_fit
from .data import training_examples
from .evaluation import evaluation_build, scores
from .names import value_names
from .prediction import active_model
from .store import ModelFileError, model_file_save, model_load

TEST_SHARE = 0.2  # the newest fifth of the cards is held out
VALIDATION_SHARE = 0.2  # the newest fifth of the training part chooses the hyper-parameters
MIN_CARDS = 30  # AMENDS_TRIAGE_MIN_CARDS overrides
MIN_EXAMPLES = 2  # a value seen once can be neither learned nor tested


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


def train(field: str, *, actor=None, progress=None) -> TriageModel:
    """Train, evaluate and store a new model of `field`; it is put in use only if not worse than the
    one in use. `progress(step)` is told each step, for the command's progress bar."""
    told = progress or (lambda _step: None)

    def step(name: str) -> None:
        pause_point()  # between the steps of a long training, the worker's intake goes first
        told(name)

    started = time.perf_counter()
    step("reading")
    examples = training_examples(field)
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
    train_texts, train_labels = [e.text for e in train_part], [e.label for e in train_part]
    test_texts, test_labels = [e.text for e in test_part], [e.label for e in test_part]
    test_organisations = [e.organisation for e in test_part]
    classifier = classifier_fit(train_texts, train_labels, validation=validation,
                                organisations=[e.organisation for e in train_part])
    seconds = time.perf_counter() - started
    step("evaluating")
    evaluation = evaluation_build(
        train_texts=train_texts, train_labels=train_labels, test_texts=test_texts, test_labels=test_labels,
        choices=classifier.top(test_texts, organisations=test_organisations),
    )
    evaluation.update({
        "cards": cards,
        "split": {
            "train": len(train_part) - validation, "validation": validation, "test": len(test_part),
            "train_from": train_part[0].received_at.isoformat(), "test_from": test_part[0].received_at.isoformat(),
            "test_to": test_part[-1].received_at.isoformat(),
        },
        "hyper": classifier.hyper,
        "rare_values": rare,
        "names": value_names(field, set(counts)),
        "trained_by": getattr(actor, "username", "") if actor else "",
    })
    step("comparing")
    current = active_model(field)
    reason = ""
    majority = evaluation["baselines"]["majority"]["top1"]
    if evaluation["top1"] < majority:
        # Suggesting the most frequent value every time would be right more often: no suggestion is better.
        reason = _("No better than always suggesting the most frequent value: top-1 %(new).3f against "
                   "%(majority).3f.") % {"new": evaluation["top1"], "majority": majority}
    elif current is not None:
        try:
            previous_top = model_load(current).top(test_texts, organisations=test_organisations)
            previous = scores(test_labels, [[v for v, _c in row] for row in previous_top])
        except ModelFileError:
            previous = None
        if previous is not None:
            evaluation["compared_with"] = {"model": current.pk, "version": current.version, **previous}
            if evaluation["top1"] < previous["top1"]:
                reason = _("Worse than version %(version)s on the same held-out cards: top-1 %(new).3f "
                           "against %(old).3f.") % {"version": current.version, "new": evaluation["top1"],
                                                     "old": previous["top1"]}
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
