"""Tables that grow without end: visits, notifications and the audit log partitioned by time
on PostgreSQL (made ahead every night, history caught by the default partition moved into
its own), and the audit log's retention (whole months dropped, the kept chain verifiable)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from care.models import Visit
from core import auditchain, partitions, retention
from core.audit import log_action
from core.models import AuditChainHead, AuditEntry
from jobs import schedule
from jobs.tasks import keep_partitions
from tests.personas import make_child

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)
TODAY = dt.date(2026, 12, 2)


def names(spec):
    with connection.cursor() as cursor:
        return partitions.partitions(cursor, spec)


@postgres_only
@pytest.mark.django_db
def test_the_growing_tables_are_partitioned_by_time():
    with connection.cursor() as cursor:
        for spec in partitions.TABLES:
            assert partitions.is_partitioned(cursor, spec.table), spec.table
    visits = names(partitions.VISITS)
    this_year = dt.date.today().year
    assert f"care_visit_y{this_year - 10}" in visits and f"care_visit_y{this_year + 1}" in visits
    assert "care_visit_default" in visits
    assert f"core_auditentry_m{dt.date.today():%Y%m}" in names(partitions.AUDIT)


@postgres_only
@pytest.mark.django_db
def test_history_caught_by_the_default_partition_gets_its_own_and_periods_ahead_are_made(
    world, director
):
    child = make_child(world["a1"], "王一")
    old = Visit.objects.create(
        child=child, area=world["a1"], visitor=director, visited_on=dt.date(1999, 5, 1)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM care_visit_default")
        assert cursor.fetchone()[0] == 1
    far = dt.date.today() + dt.timedelta(days=3 * 366)
    made = partitions.keep_ahead(far)
    assert "care_visit_y1999" in made
    assert f"care_visit_y{far.year}" in made and f"care_visit_y{far.year + 1}" in made
    assert f"core_auditentry_m{far:%Y%m}" in made
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM care_visit_default")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM care_visit_y1999 WHERE id = %s", [old.pk])
        assert cursor.fetchone()[0] == 1
    assert partitions.keep_ahead(far) == []  # once is enough
    assert Visit.objects.get(pk=old.pk).visited_on == dt.date(1999, 5, 1)


def entry_at(when: dt.datetime, n: int):
    """An entry dated by hand (as history brought in would be), chained as any other."""
    entry = AuditEntry(action="test.thing.read", data={"n": n}, at=when)
    entry.save()
    return entry


def months_of_entries():
    """One entry on the 15th of each month from January 2025 to November 2026, in order."""
    made = []
    for index in range(2025 * 12, 2026 * 12 + 11):
        when = dt.datetime(index // 12, index % 12 + 1, 15, 10, tzinfo=dt.UTC)
        made.append(entry_at(when, index))
    return made


@pytest.mark.django_db
def test_retention_drops_whole_months_and_the_kept_chain_still_verifies():
    made = months_of_entries()
    partitions.keep_ahead(TODAY)  # PostgreSQL: each month of that history gets its partition
    result = retention.apply(TODAY, months=12)  # keep December 2025 to December 2026
    assert result == {"dropped": 11, "refused": 0}
    kept = AuditEntry.objects.filter(action="test.thing.read")
    assert min(kept.values_list("at", flat=True)) == made[11].at
    head = AuditChainHead.objects.get()
    assert (head.start_id, head.start_hash) == (made[11].pk, made[10].hash)
    checked, _head, broken = auditchain.verify()
    assert broken is None and checked == 12 + 1  # and the retention's own entry
    record = AuditEntry.objects.get(action="core.audit.retention")
    assert record.data == {"before": "2025-12-01", "entries": 11, "months": 12}
    if partitions.supported():
        assert "core_auditentry_m202511" not in names(partitions.AUDIT)
        assert "core_auditentry_m202512" in names(partitions.AUDIT)
    # Deleting the first kept entry afterwards is still found.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [made[11].pk])
    assert auditchain.verify()[2] is not None


@pytest.mark.django_db
def test_an_entry_of_an_old_month_after_a_kept_one_stops_the_retention():
    entry_at(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), 1)
    entry_at(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), 2)  # dated by hand, chained later
    assert retention.apply(TODAY, months=6) == {"dropped": 0, "refused": 1}
    assert AuditEntry.objects.count() == 2
    assert auditchain.verify()[2] is None


@pytest.mark.django_db
def test_entries_written_as_they_happen_are_timed_in_the_chains_order(world, county_officer):
    made = [log_action(county_officer, "test.thing.read", world["a1"]) for _ in range(5)]
    times = [e.at for e in AuditEntry.objects.filter(pk__in=[e.pk for e in made]).order_by("id")]
    assert times == sorted(times)


def test_less_than_six_months_is_refused():
    assert retention.cutoff(TODAY, 6) == dt.date(2026, 6, 1)
    assert retention.cutoff(dt.date(2026, 1, 31), 1) == dt.date(2025, 12, 1)
    with override_settings(AUDIT_RETENTION_MONTHS=5):
        assert [e.id for e in retention.check_retention()] == ["core.E101"]
        with pytest.raises(ValueError):
            retention.apply(TODAY)
    with override_settings(AUDIT_RETENTION_MONTHS=6):
        assert retention.check_retention() == []


@pytest.mark.django_db
def test_the_nightly_upkeep_is_scheduled_and_runs():
    assert "keep_partitions" in {entry.name for entry in schedule.scheduled()}
    months_of_entries()
    counts = keep_partitions(lambda *a, **k: None)
    assert counts["audit_entries_dropped"] == 0  # 36 months by default: nothing that old
    assert counts["retention_refused"] == 0
    call_command("check")


@postgres_only
@pytest.mark.django_db
def test_a_table_with_rows_is_converted_keeping_them_and_its_ids(world, director):
    """The migration on a database in use: back to one table and partitioned again, the rows
    and the id sequence kept."""
    child = make_child(world["a1"], "王一")
    old = Visit.objects.create(
        child=child, area=world["a1"], visitor=director, visited_on=dt.date(2024, 5, 1)
    )
    with connection.cursor() as cursor:  # as if the rows were older than the migration
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor(atomic=False) as editor:
        partitions.unconvert(editor, partitions.VISITS)
        with connection.cursor() as cursor:
            assert not partitions.is_partitioned(cursor, "care_visit")
        partitions.convert(editor, partitions.VISITS)
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor, "care_visit")
        cursor.execute("SELECT count(*) FROM care_visit_y2024 WHERE id = %s", [old.pk])
        assert cursor.fetchone()[0] == 1
    again = Visit.objects.create(
        child=child, area=world["a1"], visitor=director, visited_on=dt.date.today()
    )
    assert again.pk > old.pk
    assert set(Visit.objects.values_list("pk", flat=True)) == {old.pk, again.pk}
