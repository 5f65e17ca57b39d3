"""Root conftest: the shared personas from core.testing are available to every test."""

from core.testing import *  # noqa: F403
