"""The outbox's pure rules: the phone's clock and the digest of a record."""

import datetime as dt
from zoneinfo import ZoneInfo

from outbox import policy

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_the_phones_time_may_run_five_minutes_ahead_and_thirty_days_behind():
    assert policy.made_at_problem(NOW + dt.timedelta(minutes=5), NOW) is None
    assert policy.made_at_problem(NOW + dt.timedelta(minutes=6), NOW) == policy.IN_THE_FUTURE
    assert policy.made_at_problem(NOW - dt.timedelta(days=30), NOW) is None
    assert policy.made_at_problem(NOW - dt.timedelta(days=30, seconds=1), NOW) == policy.TOO_OLD


def test_the_digest_reads_the_record_not_its_spelling():
    data = {"child": 1, "visited_on": "2026-11-30", "problems": "作业"}
    shanghai = NOW.astimezone(ZoneInfo("Asia/Shanghai"))
    reordered = dict(reversed(list(data.items())))
    assert policy.digest("visit", NOW, data) == policy.digest("visit", shanghai, reordered)
    assert policy.digest("visit", NOW, data) != policy.digest("visit", NOW, {**data, "child": 2})
    later = NOW + dt.timedelta(seconds=1)
    assert policy.digest("visit", NOW, data) != policy.digest("visit", later, data)
    assert policy.digest("visit", NOW, data) != policy.digest("activity", NOW, data)
    assert len(policy.digest("visit", dt.datetime(1, 1, 1, tzinfo=dt.UTC), {})) == 64
