"""One login lockout for every login path (issue 13, point 4), on django-axes.

The username-and-address pair locks after LOGIN_FAILURES_PER_ACCOUNT failures; the address
alone after a higher LOGIN_FAILURES_PER_ADDRESS; the counters live in the shared cache
(the database's cache table by default, Redis with CACHE_URL=redis://…).
"""

import os
import socket

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from core.forms import LOCKED_MESSAGE
from core.login_limits import TieredCacheHandler
from people.twofactor import current_code
from shouhu.settings import cache_from_url
from tests.personas import TEST_TOTP_KEY, enrol_for_tests, make_user

PASSWORD = "pw-test-123"
TOKEN_URL = "/api/v1/auth/token/"


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def low_limits(settings):
    """A pair limit of 3 and an address limit of 5, to keep the tests short."""
    settings.LOGIN_LOCKOUT = [(["username", "ip_address"], 3), (["ip_address"], 5)]
    settings.AXES_FAILURE_LIMIT = 5


def test_the_pair_locks_after_ten_failures_while_a_colleague_at_that_address_logs_in(
    client, director, other_director
):
    for i in range(10):
        assert "_auth_user_id" not in client.session
        response = login(client, "director", f"guess{i}")
    assert response.status_code == 429  # the tenth failure locks
    assert str(LOCKED_MESSAGE) in response.content.decode()
    assert login(client, "director").status_code == 429  # even the right password
    assert "_auth_user_id" not in client.session

    assert login(client, "other_director").status_code == 302  # same address, other user
    client.post(reverse("logout"))
    # The same user from another address is not locked either.
    assert login(client, "director", REMOTE_ADDR="10.9.8.7").status_code == 302


def test_the_username_is_counted_without_case_and_spaces(client, director, low_limits):
    for name in ["director", "Director", " DIRECTOR "]:
        login(client, name, "wrong")
    assert login(client, "director").status_code == 429


def test_the_address_alone_locks_after_its_higher_limit(client, director, world, low_limits):
    for i in range(5):  # five usernames, one failure each: no pair reaches 3
        login(client, f"someone{i}", "wrong")
    response = login(client, "director")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert login(client, "director", REMOTE_ADDR="10.9.8.7").status_code == 302


def test_attempts_refused_during_a_lockout_do_not_count_towards_the_address(
    client, director, other_director, low_limits
):
    for _ in range(3):
        login(client, "director", "wrong")
    for _ in range(10):  # hammering the locked account
        assert login(client, "director", "wrong").status_code == 429
    assert login(client, "other_director").status_code == 302


def test_the_counters_are_in_the_database_cache_shared_by_every_worker(client, director):
    assert caches["default"].__class__ is DatabaseCache
    login(client, "director", "wrong")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM shouhu_cache")
        assert cursor.fetchone()[0] >= 2  # the pair's counter and the address's
    # Another worker: its own cache client and lockout handler, the same counters.
    other_worker = TieredCacheHandler()
    other_worker.cache = DatabaseCache("shouhu_cache", {})
    request = client.post(reverse("login")).wsgi_request
    AxesProxyHandler.update_request(request)
    assert other_worker.counters(request, {"username": "director"}) == [(1, 10), (1, 50)]


def test_the_admin_the_token_endpoint_and_the_login_page_share_the_counters(
    client, director, world
):
    api = APIClient()
    for i in range(4):
        client.post("/admin/login/", {"username": "director", "password": f"admin{i}"})
    for i in range(5):
        assert (
            api.post(TOKEN_URL, {"username": "director", "password": f"api{i}"}).status_code == 400
        )
    # The tenth failure, on the login page, locks all three.
    assert login(client, "director", "page").status_code == 429
    assert api.post(TOKEN_URL, {"username": "director", "password": PASSWORD}).status_code == 429
    admin = client.post("/admin/login/", {"username": "director", "password": PASSWORD})
    assert admin.status_code == 429
    assert str(LOCKED_MESSAGE) in admin.content.decode()


def test_the_admin_login_locks_whatever_the_password_and_code(client, world):
    enrol_for_tests(make_user("root", "", None, is_superuser=True, is_staff=True))
    for i in range(10):
        client.post("/admin/login/", {"username": "root", "password": f"guess{i}"})
    right = {"username": "root", "password": PASSWORD, "otp_token": current_code(TEST_TOTP_KEY)}
    locked = client.post("/admin/login/", right)
    assert locked.status_code == 429 and "_auth_user_id" not in client.session


def test_the_token_endpoint_answers_429_with_the_message(director):
    api = APIClient()
    for i in range(10):
        api.post(TOKEN_URL, {"username": "director", "password": f"guess{i}"})
    response = api.post(TOKEN_URL, {"username": "director", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json() == {"detail": str(LOCKED_MESSAGE)}


def test_a_failed_login_that_locks_is_marked_in_the_audit_log(client, director):
    from core.models import AuditEntry

    for i in range(10):
        login(client, "director", f"guess{i}")
    entries = AuditEntry.objects.filter(action="auth.login_failed").order_by("id")
    assert [e.data.get("locked", False) for e in entries] == [False] * 9 + [True]


def test_cache_url_chooses_the_cache():
    assert cache_from_url("db://shouhu_cache") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shouhu_cache",
    }
    assert cache_from_url("redis://cache:6379/2")["BACKEND"].endswith("RedisCache")
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        cache_from_url("memcached://x")


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    host_port = REDIS_URL.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_cache():
    """The lockout on Redis (CACHE_URL=redis://…): skipped when no Redis answers, except
    under CI=true, where it fails instead."""
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable (CI=true: must not skip)")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    with override_settings(CACHES={"default": cache_from_url(REDIS_URL)}):
        AxesProxyHandler.get_implementation(force=True)  # its cache client, on Redis
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()
    AxesProxyHandler.get_implementation(force=True)


def test_the_lockout_works_on_redis(client, director, other_director, redis_cache):
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(redis_cache, RedisCache)
    for i in range(10):
        login(client, "director", f"guess{i}")
    assert login(client, "director").status_code == 429
    assert login(client, "other_director").status_code == 302
    # The counters are in Redis: a separate client sees them.
    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys("*axes-*")
    assert len(keys) >= 2
