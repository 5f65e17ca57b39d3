"""Settings for the test suite: the same as production but fast and self-contained."""

from .settings import *  # noqa: F403
from .settings import STORAGES

ALLOWED_HOSTS = ["*"]
# Hashing a password with the production hasher costs ~0.3 s; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; tests serve the source files directly.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # nothing collected in tests; the staticfiles finders serve sources
