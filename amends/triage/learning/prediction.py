"""Suggestions from the model in use: up to three values per text with their confidence, or none and why."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..model_files import ModelFileError
from ..models import TriageModel
from .classifier import TOP, TextClassifier
from .flag_model import FlagClassifier
from .store import model_load
from .text import text_normalise


@dataclass(frozen=True)
class Prediction:
    # (value, confidence), best first: a Category's, Cause's, Department's or Product's id as text, or
    # an importance code. Empty when there is no suggestion, and `reason` says why.
    choices: list[tuple[str, float]] = field(default_factory=list)
    reason: str = ""
    model_id: int | None = None


def active_model(field: str) -> TriageModel | None:
    return TriageModel.objects.filter(field=field, active=True).first()


def predict_many(field: str, texts: list[str], organisations: list[str] | None = None) -> list[Prediction]:
    """One prediction per text, in order; never raises for a missing or broken model or a bad text.
    `organisations`: each text's card's organisation (data.card_organisation), if known."""
    model = active_model(field)
    if model is None:
        return [Prediction(reason=_("No model has been trained for this field yet.")) for _text in texts]
    try:
        classifier = model_load(model)
        if not isinstance(classifier, TextClassifier):
            raise ModelFileError(_("the file holds no classifier"))
    except ModelFileError as error:
        reason = _("The model file of version %(version)s cannot be used: %(error)s.") % {
            "version": model.version, "error": error,
        }
        return [Prediction(reason=reason, model_id=model.pk) for _text in texts]
    if len(classifier.classes) < 2:
        reason = _("The model knows only one value: there is nothing to choose.")
        return [Prediction(reason=reason, model_id=model.pk) for _text in texts]
    results: list[Prediction | None] = []
    usable: list[int] = []
    for i, text in enumerate(texts):
        if not text_normalise(text or ""):
            results.append(Prediction(reason=_("The text is empty."), model_id=model.pk))
        elif not classifier.knows_script(text):
            results.append(Prediction(
                reason=_("The text is in a language the model has not seen in its training cards."),
                model_id=model.pk,
            ))
        else:
            results.append(None)
            usable.append(i)
    known = organisations or [""] * len(texts)
    found = classifier.top([texts[i] for i in usable], TOP, organisations=[known[i] for i in usable])
    for i, choices in zip(usable, found, strict=True):
        results[i] = Prediction(choices=choices, model_id=model.pk)
    return [result for result in results if result is not None]


@dataclass(frozen=True)
class NegativeReading:
    """The negative-emotion model's reading of texts: per text its probability (None where the model
    cannot read it: an empty text, an unseen language), and whether it says negative; or the reason
    there is none, the model's file being unusable."""

    model: TriageModel
    probabilities: list[float | None] = field(default_factory=list)
    said: list[bool] = field(default_factory=list)
    reason: str = ""


def negative_predict(model: TriageModel, texts: list[str]) -> NegativeReading:
    """The reading of the model in use, `model`; never raises for a missing or broken file."""
    try:
        classifier = model_load(model)
        if not isinstance(classifier, FlagClassifier):
            raise ModelFileError(_("the file holds no classifier"))
    except ModelFileError as error:
        return NegativeReading(model, reason=_("The model file of version %(version)s cannot be used: %(error)s.") % {
            "version": model.version, "error": error})
    usable = [i for i, text in enumerate(texts) if text_normalise(text or "") and classifier.knows_script(text)]
    found = classifier.probabilities([texts[i] for i in usable])
    probabilities: list[float | None] = [None] * len(texts)
    for i, probability in zip(usable, found, strict=True):
        probabilities[i] = float(probability)
    threshold = classifier.threshold
    said = [p is not None and threshold is not None and p >= threshold for p in probabilities]
    return NegativeReading(model, probabilities, said)
