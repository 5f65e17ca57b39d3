"""Pieces of work for the tests of the queue."""

from django.db import OperationalError

from jobs import services

calls = {"flaky": 0}


@services.work(title="Count to three")
def count(progress, *, to=3):
    for n in range(1, to + 1):
        progress(n, to, step="counting")
    progress.save_file(b"1,2,3", "count.csv", "text/csv")
    return {"counted": to}


@services.work(title="Flaky", max_attempts=3)
def flaky(progress, *, fail_times=1):
    calls["flaky"] += 1
    if calls["flaky"] <= fail_times:
        raise OperationalError("database is locked")
    return {"ok": True}


@services.work(title="Broken")
def broken(progress):
    raise ValueError("a bug")
