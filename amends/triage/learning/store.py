"""Model files in the default storage (shared by every server and worker), checked against their
SHA-256 before they are unpickled, and kept in memory per process for as long as they are in use."""

import hashlib
import io
import pickle
import threading

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from ..models import TriageModel
from .classifier import TextClassifier

# Per field: the model in use's id and digest, and its classifier.
_loaded: dict[str, tuple[int, str, TextClassifier]] = {}
_lock = threading.Lock()


class ModelFileError(Exception):
    """The model's file is missing, altered or unreadable."""


def model_file_save(model: TriageModel, classifier: TextClassifier) -> None:
    """Write the file and its digest onto `model` (saved by the caller)."""
    buffer = io.BytesIO()
    pickle.dump(classifier, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    data = buffer.getvalue()
    model.digest = hashlib.sha256(data).hexdigest()
    model.file.save(f"{model.field}-v{model.version}.pkl", ContentFile(data), save=False)


def model_load(model: TriageModel) -> TextClassifier:
    """The model's classifier, read once per process; ModelFileError when the file cannot be trusted."""
    cached = _loaded.get(model.field)
    if cached is not None and cached[:2] == (model.pk, model.digest):
        return cached[2]
    with _lock:
        if not model.file.name:
            raise ModelFileError(_("there is no file"))
        try:
            with model.file.storage.open(model.file.name, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise ModelFileError(_("the file cannot be read")) from error
        if hashlib.sha256(data).hexdigest() != model.digest:
            raise ModelFileError(_("its SHA-256 does not match the one recorded at training"))
        try:
            classifier = pickle.loads(data)  # noqa: S301 - the digest above proves it is the file we wrote
        except Exception as error:  # a file we wrote with another library version
            raise ModelFileError(_("the file cannot be unpickled")) from error
        if not isinstance(classifier, TextClassifier):
            raise ModelFileError(_("the file holds no classifier"))
        # One model a field stays in memory: the one a newer model replaced goes.
        _loaded[model.field] = (model.pk, model.digest, classifier)
        return classifier
