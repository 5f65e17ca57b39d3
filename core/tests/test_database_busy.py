"""The embedded SQLite database under a held write lock (issue 13, point 11): a write waits
for the lock within a bound, then answers 503 with Retry-After (a page, or JSON for the
API), never a 500; /healthz reads only and answers at once.

The test database is in memory, where locks do not behave as in a file: these tests copy
it into a file (SQLite's backup API) and point the connection at that file, and a second
sqlite3 connection holds the write lock (BEGIN IMMEDIATE) as another worker would.
"""

import sqlite3
import time

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from concerns.models import ConcernReport
from core.errors import server_error

pytestmark = pytest.mark.django_db(transaction=True)

BOUND = 0.5  # seconds a writer waits for the lock in these tests (production: 5)

REPORT = {
    "place": "王庄村东头",
    "situation": "abandoned",
    "description": "孩子一个人在家好几天了，没人做饭。",
    "urgency": "immediate",
}


@pytest.fixture
def file_database(tmp_path):
    """The default connection on a file copy of the test database, with a short bound."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's lock (PostgreSQL waits on row locks, not on a file lock)")
    path = tmp_path / "shouhu.sqlite3"
    connection.ensure_connection()
    memory = connection.connection
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    settings = connection.settings_dict
    saved = settings["NAME"], dict(settings.get("OPTIONS", {}))
    settings["NAME"] = str(path)
    settings["OPTIONS"] = {**saved[1], "timeout": BOUND}
    connection.connection = None  # the next query connects to the file
    yield path
    connection.close()
    settings["NAME"], settings["OPTIONS"] = saved
    connection.connection = memory


@pytest.fixture
def write_lock(file_database):
    """Another writer holds the database's write lock (as a long import would)."""
    holder = sqlite3.connect(file_database, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


def test_a_write_behind_a_held_lock_answers_503_with_retry_after(client, world, write_lock):
    assert client.get(reverse("concerns:public")).status_code == 200  # reads go on
    started = time.monotonic()
    page = client.post(reverse("concerns:public"), {**REPORT, "area": world["a1"].pk})
    waited = time.monotonic() - started
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert 'data-testid="busy"' in page.text and "系统繁忙" in page.text
    assert "no-store" in page["Cache-Control"]
    assert BOUND <= waited < BOUND + 5  # it waited for the lock, within the bound


def test_an_api_write_behind_a_held_lock_answers_503_in_json(client, world, write_lock):
    answer = client.post(
        "/api/v1/public-reports/",
        {**REPORT, "area": world["a1"].code},
        content_type="application/json",
    )
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert answer.json()["detail"]


def test_the_write_goes_through_once_the_lock_is_released(client, world, write_lock):
    write_lock.execute("ROLLBACK")
    write_lock.execute("BEGIN")  # the fixture's ROLLBACK ends this one
    sent = client.post(reverse("concerns:public"), {**REPORT, "area": world["a1"].pk})
    assert sent.status_code == 302
    assert ConcernReport.objects.count() == 1


def test_healthz_does_not_wait_on_a_writer(client, write_lock):
    started = time.monotonic()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"
    assert time.monotonic() - started < BOUND  # answered without waiting for the lock


def test_a_lock_met_outside_a_view_answers_503_too():
    request = RequestFactory().get("/children/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    try:
        raise ValueError("anything else")
    except ValueError:
        assert server_error(request).status_code == 500
