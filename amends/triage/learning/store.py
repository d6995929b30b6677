"""Model files in the default storage (shared by every server and worker), checked against their
SHA-256 before they are unpickled, and kept in memory per process for as long as they are in use."""

import hashlib
import io
import pickle
import threading

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from ..model_files import ModelFileError, model_file_read
from ..models import TriageModel
from .classifier import TextClassifier
from .flag_model import FlagClassifier

Classifier = TextClassifier | FlagClassifier
# Per field: the model in use's id and digest, and its classifier.
_loaded: dict[str, tuple[int, str, Classifier]] = {}
_lock = threading.Lock()


def model_file_save(model: TriageModel, classifier: Classifier) -> None:
    """Write the file and its digest onto `model` (saved by the caller)."""
    buffer = io.BytesIO()
    pickle.dump(classifier, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    data = buffer.getvalue()
    model.digest = hashlib.sha256(data).hexdigest()
    model.file.save(f"{model.field}-v{model.version}.pkl", ContentFile(data), save=False)


def model_load(model: TriageModel) -> Classifier:
    """The model's classifier, read once per process; ModelFileError when the file cannot be trusted."""
    cached = _loaded.get(model.field)
    if cached is not None and cached[:2] == (model.pk, model.digest):
        return cached[2]
    with _lock:
        data = model_file_read(model)
        try:
            classifier = pickle.loads(data)  # noqa: S301 - the digest above proves it is the file we wrote
        except Exception as error:  # a file we wrote with another library version
            raise ModelFileError(_("the file cannot be unpickled")) from error
        if not isinstance(classifier, (TextClassifier, FlagClassifier)):
            raise ModelFileError(_("the file holds no classifier"))
        # One model a field stays in memory: the one a newer model replaced goes.
        _loaded[model.field] = (model.pk, model.digest, classifier)
        return classifier
