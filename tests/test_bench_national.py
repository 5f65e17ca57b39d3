"""bench/national_build.py, the national build: a step is done once (committed with its mark
in the ledger, or not at all), and the visits generated inside PostgreSQL are the same rows
whichever session makes them, so an interrupted build resumes to the same country. The build
itself is run by hand (make bench-national); no figure is tested."""

import datetime as dt
import importlib
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from areas.models import Area
from care.models import Visit
from children.models import Child
from people.models import User

BENCH = Path(__file__).resolve().parent.parent / "bench"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the national build is PostgreSQL's"
    ),
]


@pytest.fixture(scope="module")
def build():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("national_build")
    finally:
        sys.path.remove(str(BENCH))


def test_a_step_is_done_once_and_a_failed_one_leaves_nothing(build):
    ledger = build.Ledger()
    calls = []

    def work(cursor):
        calls.append(1)
        cursor.execute("CREATE TABLE bench_probe (n int)")
        return {"rows": 3}

    assert ledger.step("probe", work) == {"rows": 3}
    assert ledger.step("probe", work) == {"rows": 3}  # done before: not run again
    assert len(calls) == 1

    def fails(cursor):
        cursor.execute("INSERT INTO bench_probe VALUES (1)")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        ledger.step("half", fails)
    assert ledger.get("half") is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_probe")
        assert cursor.fetchone()[0] == 0  # the step's work went with it
        cursor.execute("DROP TABLE bench_probe")
        cursor.execute(f"DROP TABLE {build.LEDGER}")


def test_visits_are_the_same_rows_whenever_they_are_made(build, world):
    """Two children, special attention and ordinary, registered three years ago: each
    quarter's visits are generated twice, in separate transactions, and compared."""
    today = dt.date(2026, 12, 2)
    village = world["a1"]
    visitor = User.objects.create(username="visitor", role="director", area=village)
    registered = dt.datetime(2023, 12, 1, 9, tzinfo=dt.UTC)
    kids = {}
    for level in ("special", "ordinary"):
        kids[level] = Child.objects.create(
            area=village, name=f"{level}", sex="F", birth_date=dt.date(2015, 5, 1),
            care_level=level,
        )  # fmt: skip
    Child.objects.filter(pk__in=[k.pk for k in kids.values()]).update(created_at=registered)
    with transaction.atomic():
        build.visit_inputs(build.raw_cursor(), today)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bench_kid SET visitor_id = %s", [visitor.pk])
    sql = build.visit_statement()
    quarters = build.visit_quarters(today)
    assert quarters[-1] == (dt.date(2026, 10, 1), today)

    def generate():
        made = []
        for first, last in quarters:
            with transaction.atomic():
                cursor = build.raw_cursor()
                cursor.execute(
                    sql, {"first": first, "last": last, "early": first - dt.timedelta(days=14)}
                )
            rows = Visit.objects.filter(visited_on__range=(first, last)).order_by("pk")
            made += list(rows.values_list("child_id", "visited_on", "mode", "follow_up_on"))
        Visit.objects.all().delete()
        return made

    once, again = generate(), generate()
    assert once == again
    special = [v for v in once if v[0] == kids["special"].pk]
    ordinary = [v for v in once if v[0] == kids["ordinary"].pk]
    # Three years: special attention in about 88 % of 36 months, ordinary once or twice a year.
    assert 25 <= len(special) <= 45
    assert 2 <= len(ordinary) <= 10
    assert all(registered.date() <= v[1] <= today for v in once)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_kid")
    assert Area.objects.filter(pk=village.pk).exists()


def test_a_partitioned_tables_indexes_are_made_again_on_every_partition(build):
    """pg_get_indexdef writes a partitioned table's index `ON ONLY` the parent: made again as
    written, the parent's index would be invalid and the partitions would have none."""
    with connection.cursor() as cursor:
        name, definition = build.secondary_indexes(cursor, "care_visit")[0]
        assert " ON ONLY " in definition
        cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(build.whole_tree(definition))
        cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = %s::regclass", [name])
        assert cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_partition_tree(%s::regclass) WHERE isleaf", [name])
        partition_indexes = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_partition_tree('care_visit') WHERE isleaf")
        assert partition_indexes == cursor.fetchone()[0] > 1
