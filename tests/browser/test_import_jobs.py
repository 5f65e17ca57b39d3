"""A county officer imports a 5,000-row roster through a real worker (issue 17, point 8):
the upload answers at once, the progress bar moves while the worker checks the rows, the
row report shows, the save registers every row; meanwhile a township officer in another
browser keeps working at normal speed."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from children.models import Child
from children.tests.test_import import good_row, workbook
from jobs.tests.test_workers import DATABASE_BACKEND, ROOT, worker_env
from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.browser

ROWS = 5000
NORMAL_SECONDS = 2.5  # a page of the second browser, while the worker imports


@pytest.fixture
def worker(settings, live_server):
    """One real `manage.py db_worker` on the live server's database; jobs wait for it."""
    settings.TASKS = DATABASE_BACKEND
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    command += ["--interval", "0.2", "--verbosity", "0", "--queue-name", "*"]
    process = subprocess.Popen(command, cwd=ROOT, env=worker_env(), start_new_session=True)
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def roster_file(tmp_path):
    rows = [
        good_row(
            name=f"导入{i}", id_number="", birth_date=dt.date(2011, 1, 1) + dt.timedelta(days=i)
        )
        for i in range(ROWS)
    ]
    path = tmp_path / "roster-5000.xlsx"
    path.write_bytes(workbook(*rows))
    return path


def test_a_5000_row_import_runs_in_a_worker_while_another_user_works(
    new_page, login, shot, expect, world, county_officer, township_officer, worker, tmp_path
):
    officer = new_page(DESKTOP)
    login(officer, "county_officer")
    other = new_page(DESKTOP)  # a second browser: its own context and cookies
    login(other, "township_officer")
    pages = [reverse("children:roster"), reverse("concerns:list"), reverse("rounds:list")]

    def second_browser_works() -> list[float]:
        took = []
        for url in pages:
            started = time.monotonic()
            response = other.goto(url)
            took.append(time.monotonic() - started)
            assert response.status == 200, url
        return took

    baseline = second_browser_works()

    officer.goto(reverse("children:import"))
    officer.set_input_files('input[type="file"]', str(roster_file(tmp_path)))
    started = time.monotonic()
    officer.get_by_test_id("import-form").locator('button[type="submit"]').click()
    officer.wait_for_url(re.compile(r"/import/[0-9a-f-]{36}/$"))
    assert time.monotonic() - started < 5, "the upload waits for the check"
    status = officer.get_by_test_id("import-status")

    # While the worker checks: the bar moves and the other browser works at normal speed.
    seen, during = set(), []
    deadline = time.monotonic() + 300
    while status.get_attribute("data-state") in ("queued", "checking"):
        assert time.monotonic() < deadline, "the check did not end"
        bar = officer.get_by_test_id("import-bar")
        if bar.count():
            seen.add(int(bar.get_attribute("value") or 0))
        if 0 < max(seen, default=0) < 100 and len(seen) == 2:
            shot(officer, "1-checking")
        during += second_browser_works()
    assert any(0 < value < 100 for value in seen), f"the bar never moved: {sorted(seen)}"
    assert max(during) < NORMAL_SECONDS, (baseline, during)

    expect(officer.get_by_test_id("import-ready")).to_be_visible(timeout=20_000)
    expect(officer.get_by_test_id("import-preview")).to_be_visible()
    shot(officer, "2-report")

    officer.get_by_test_id("import-save").click()
    during_save = []
    while status.get_attribute("data-state") in ("saving", "valid"):
        assert time.monotonic() < deadline, "the save did not end"
        during_save += second_browser_works()
    expect(officer.get_by_test_id("import-saved")).to_be_visible(timeout=20_000)
    expect(officer.get_by_test_id("import-saved")).to_contain_text(str(ROWS))
    shot(officer, "3-saved")
    assert max(during_save) < NORMAL_SECONDS, (baseline, during_save)
    assert Child.objects.filter(name__startswith="导入").count() == ROWS
    print(
        f"second browser: before max {max(baseline):.2f} s, checking max {max(during):.2f} s,"
        f" saving max {max(during_save):.2f} s"
    )
