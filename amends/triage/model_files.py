"""Model files in the default storage, read only when their SHA-256 is the one recorded at training.
Apart from the learning package so that a page can tell whether a model is usable without loading
scikit-learn."""

import hashlib

from django.utils.translation import gettext as _

from .models import TriageModel

# Files found sound in this process, by model id and digest: read once, not on every page.
_sound: set[tuple[int, str]] = set()


class ModelFileError(Exception):
    """The model's file is missing, altered or unreadable."""


def model_file_read(model: TriageModel) -> bytes:
    """The file's bytes; ModelFileError when there is none, it cannot be read or it was altered."""
    if not model.file.name:
        raise ModelFileError(_("there is no file"))
    try:
        with model.file.storage.open(model.file.name, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ModelFileError(_("the file cannot be read")) from error
    if hashlib.sha256(data).hexdigest() != model.digest:
        raise ModelFileError(_("its SHA-256 does not match the one recorded at training"))
    _sound.add((model.pk, model.digest))
    return data


def model_file_problem(model: TriageModel) -> str:
    """Why the model's file cannot be used, or "" when it can."""
    if (model.pk, model.digest) in _sound:
        return ""
    try:
        model_file_read(model)
    except ModelFileError as error:
        return str(error)
    return ""
