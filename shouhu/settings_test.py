"""Settings for the test suite: the same as production but fast and self-contained."""

import os

# Tests never need production keys (set before the settings module reads them).
os.environ.setdefault("SHOUHU_DEMO", "1")

from .settings import *  # noqa: E402, F403
from .settings import STORAGES  # noqa: E402

ALLOWED_HOSTS = ["*"]
SECRET_KEY = "test-secret-key"
FIELD_ENCRYPTION_KEY = "test-field-encryption-key"
FIELD_ENCRYPTION_KEYS: list[str] = []  # not from the environment: the one key above
FIELD_LOOKUP_KEY = ""
# Hashing a password with the production hasher costs ~0.3 s; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; tests serve the source files directly.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # nothing collected in tests; the staticfiles finders serve sources
# Tasks run inside the request or command that starts them (the immediate backend); the
# tests of the queue itself switch to the database backend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "stats"],
    }
}
