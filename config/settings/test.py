"""Test settings: the same as production but with fast hashing and a throwaway media folder."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="amends-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="amends-test-static-")
WHITENOISE_USE_FINDERS = True
if DATABASES["default"]["ENGINE"] == "amends.core.sqlite":
    # A file, not :memory:, so that threads in concurrency tests share one database.
    DATABASES["default"]["TEST"] = {"NAME": tempfile.mktemp(prefix="amends-test-", suffix=".sqlite3")}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AMENDS_BASE_URL = "https://complaints.example.com"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Jobs run at once inside the caller; the worker's own tests switch to the database queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "long"]}}
