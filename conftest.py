"""Root conftest: the shared personas from core.testing are available to every test."""

import pytest  # noqa: E402

from core.testing import *  # noqa: F403


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login-lockout counters and throttles live in the cache: start every test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
