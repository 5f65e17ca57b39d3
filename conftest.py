"""Root conftest: the shared personas from tests.personas are available to every test."""

import pytest  # noqa: E402

from tests.personas import *  # noqa: F403


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Login-lockout counters (django-axes) and throttles live in the shared cache, the
    database's cache table by default: start every test that uses the database clean.

    (`axes_reset` cannot empty a cache handler's counters; clearing the cache does.) Tests
    without the database use no cache.
    """
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    transaction = marker is not None and marker.kwargs.get("transaction", False)
    if transaction or "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Photos saved by a test go to a folder of their own, never into var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
