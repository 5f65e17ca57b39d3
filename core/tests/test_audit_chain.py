"""The audit log is tamper-evident: a hash chain over every entry, checked by a command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import auditchain
from core.audit import log_action
from core.models import AuditChainHead, AuditEntry


def verify():
    out = StringIO()
    call_command("verify_audit_chain", stdout=out, batch_size=3)
    return out.getvalue()


@pytest.fixture
def entries(world, county_officer):
    made = [
        log_action(county_officer, "test.thing.updated", world["a1"], {"n": i, "名": "王"})
        for i in range(6)
    ]
    made.append(log_action(None, "test.system.ran", data={"when": "now"}))
    return made


def raw(sql, params):
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_each_entry_carries_the_hash_of_the_one_before(entries):
    rows = list(AuditEntry.objects.order_by("id"))
    assert all(len(e.hash) == 64 for e in rows)
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    assert AuditChainHead.objects.get().hash == rows[-1].hash
    assert "Audit chain intact: 7 entries" in verify()


def test_an_entry_changed_with_raw_sql_breaks_the_chain_at_that_entry(entries):
    victim = entries[3]
    raw("UPDATE {table} SET object_repr = %s WHERE id = %s", ["改过", victim.pk])
    with pytest.raises(CommandError, match=f"entry {victim.pk} .*content was changed"):
        verify()


def test_changed_details_break_the_chain_too(entries):
    raw("UPDATE {table} SET data = %s WHERE id = %s", ['{"n": 99, "名": "王"}', entries[1].pk])
    with pytest.raises(CommandError, match=f"entry {entries[1].pk} "):
        verify()


def test_a_deleted_entry_is_found_at_the_entry_after_it(entries):
    raw("DELETE FROM {table} WHERE id = %s", [entries[2].pk])
    with pytest.raises(CommandError, match=f"entry {entries[3].pk} .*changed or deleted"):
        verify()


def test_deleting_the_last_entries_is_found_through_the_chain_head(entries):
    raw("DELETE FROM {table} WHERE id >= %s", [entries[-2].pk])
    with pytest.raises(CommandError, match="last entries were deleted"):
        verify()


def test_entries_created_together_are_chained_in_order(entries, county_officer):
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=county_officer, action="test.bulk", data={"i": i}) for i in range(3)]
    )
    assert "Audit chain intact: 10 entries" in verify()


def test_rows_sealed_for_bulk_inserts_continue_the_chain(entries):
    from demo.bulk import insert, next_id

    first = next_id(AuditEntry)
    at = entries[0].at
    columns = ["id", "at", "actor_id", "actor_username", "action", "object_type", "object_id"]
    columns += ["object_repr", "area_code", "data"]
    rows = [(first + i, at, None, "", "demo.bulk", "", "", "", "", {"i": i}) for i in range(3)]
    insert(AuditEntry, *auditchain.seal_rows(columns, rows))
    assert "Audit chain intact: 10 entries" in verify()
    log_action(None, "test.after.bulk")
    assert "Audit chain intact: 11 entries" in verify()


def test_an_empty_log_verifies(db):
    assert "Audit chain intact: 0 entries" in verify()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_concurrent_writers_do_not_fork_the_chain():
    """Writers in parallel transactions take turns at the chain's head: every entry links to
    the one before it (SQLite lets one writer in at a time by itself)."""
    import threading

    from django.db import connections, transaction

    start = threading.Barrier(4)
    errors = []

    def writer(n):
        try:
            start.wait()
            for i in range(15):
                with transaction.atomic():
                    log_action(None, "test.concurrent", data={"writer": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEntry.objects.count() == 60
    assert len(set(AuditEntry.objects.values_list("prev_hash", flat=True))) == 60
    assert "Audit chain intact: 60 entries" in verify()
