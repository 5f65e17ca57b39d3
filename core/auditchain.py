"""The audit log's hash chain: each entry carries the hash of the one before it.

An entry's `hash` is SHA-256 over the previous entry's hash and a canonical serialisation of
the entry's own fields (time, actor id and username, action, object type/id/repr, area code,
details as JSON with sorted keys, address). Changing, inserting or deleting a row afterwards
breaks the chain at that row, which `manage.py verify_audit_chain` finds. The chain follows
the entries' ids; its head (the last entry's id and hash) is kept in one row of
AuditChainHead, which also serialises writers: every writer locks it (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions already let one writer in at a time) in the
same transaction as the entry, so two concurrent writers never both chain onto the same
predecessor. Keep the head's hash somewhere else now and then (verify_audit_chain prints
it): an attacker who can rewrite the whole table can also recompute the chain, and a hash
recorded outside the database pins it.
"""

import hashlib
import json
from datetime import UTC
from functools import lru_cache

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

GENESIS = "0" * 64  # the "previous hash" of the first entry

# The fields an entry's hash covers, in this order (attnames).
FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "area_code",
    "data",
    "ip",
)


@lru_cache(maxsize=4096)  # bulk writes repeat their times (the demo: one per day)
def _at(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _ip(value) -> str:
    if not value:
        return ""
    return clean_ipv6_address(value) if ":" in value else value


_dumps = json.JSONEncoder().encode  # the C encoder's fastest settings
_dumps_sorted = json.JSONEncoder(sort_keys=True).encode  # json.dumps(value, sort_keys=True)
_dumps_django = DjangoJSONEncoder().encode


def _data(value, as_text=False) -> str:
    """The details as the database gives them back (the stored JSON read again: dates become
    text, keys text), as `json.dumps(value, sort_keys=True)`: sorted keys, since PostgreSQL's
    jsonb does not keep their order. `as_text`: a str is that text already (the demo's
    pre-encoded rows; verify_audit_chain would find any that is not), not a JSON string."""
    if as_text and isinstance(value, str):
        return value
    return _dumps_sorted(json.loads(_dumps_django(value)))


def canonical(values, data_as_text=False) -> bytes:
    """The serialisation an entry's hash covers; `values` in the order of FIELDS."""
    at, actor_id, username, action, otype, oid, orepr, area, data, ip = values
    head = _dumps([_at(at), actor_id, username, action, otype, oid, orepr, area, _ip(ip)])
    return f"{head}\n{_data(data, data_as_text)}".encode()


def entry_hash(prev_hash: str, values, data_as_text=False) -> str:
    """The hash of an entry whose fields are `values` (order of FIELDS) after `prev_hash`."""
    text = canonical(values, data_as_text)
    return hashlib.sha256(prev_hash.encode() + b"\n" + text).hexdigest()


def _head_table() -> str:
    from .models import AuditChainHead  # core.models imports this module: a cycle at the top

    return AuditChainHead._meta.db_table


def lock_head(using=None):
    """The chain's head row (last_id, hash), locked until the end of the current transaction.
    Raw SQL: it runs with every audit entry, and the ORM's query building cost more than
    the query (seconds over the demo seed)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table = connection.ops.quote_name(_head_table())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_id, hash FROM {table} WHERE id = 1{lock}")
        row = cursor.fetchone()
        if row is None:  # a database made without the migration's row (or flushed)
            # Two first writers may both find no row: the second inserts nothing and waits
            # for the first's row, as it would for the lock.
            cursor.execute(
                f"INSERT INTO {table} (id, last_id, hash) VALUES (1, 0, %s) "
                "ON CONFLICT (id) DO NOTHING",
                [GENESIS],
            )
            cursor.execute(f"SELECT last_id, hash FROM {table} WHERE id = 1{lock}")
            row = cursor.fetchone()
    return Head(*row)


class Head:
    """The chain's head as read: the last entry's id and hash."""

    def __init__(self, last_id, hash_):
        self.last_id, self.hash = last_id, hash_


def move_head(last_id: int, hash_: str, using=None) -> None:
    connection = connections[using or DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(_head_table())
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_id = %s, hash = %s WHERE id = 1", [last_id, hash_])


def append(entry, insert, using=None, stamp=False) -> None:
    """Chain an unsaved entry onto the head and `insert()` it, in one transaction.

    With `stamp` (every entry the service writes as it happens), the entry's time is taken
    under the chain's lock, so that the chain's order is the order of time: the retention
    drops whole months, and no entry of a dropped month may come after a kept one.
    """
    # No savepoint of its own (two more queries per entry): an error here fails the whole
    # transaction, as it should: the change it audits must not be kept without its entry.
    with transaction.atomic(using=using, savepoint=False):
        head = lock_head(using)
        if stamp:
            entry.at = timezone.now()
        entry.prev_hash = head.hash
        entry.hash = entry_hash(head.hash, [getattr(entry, name) for name in FIELDS])
        insert()
        move_head(entry.pk, entry.hash, using)


def seal_rows(columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """For bulk inserts (the demo): chain `rows` (tuples in the order of `columns`, with
    explicit ascending ids, every field of FIELDS present or defaulted; `data` a Python value
    or its JSON text exactly as `json.dumps(value, sort_keys=True)` writes it) onto the head, and
    move the head to the last. Returns the columns and rows with prev_hash and hash added.
    Call it inside the transaction that inserts the rows."""
    if not rows:
        return columns, rows
    defaults = {"actor_id": None, "actor_username": "", "object_type": "", "object_id": ""}
    defaults |= {"object_repr": "", "area_code": "", "data": {}, "ip": None}
    index = {name: i for i, name in enumerate(columns)}
    getters = [
        (lambda row, i=index[name]: row[i]) if name in index else (lambda row, d=defaults[name]: d)
        for name in FIELDS
    ]
    head = lock_head()
    prev, sealed = head.hash, []
    for row in rows:
        digest = entry_hash(prev, [get(row) for get in getters], data_as_text=True)
        sealed.append((*row, prev, digest))
        prev = digest
    move_head(rows[-1][index["id"]], prev)
    return [*columns, "prev_hash", "hash"], sealed


class Break:
    """Where the chain breaks: the first entry whose hash or link does not hold."""

    def __init__(self, entry_id, at, reason):
        self.entry_id, self.at, self.reason = entry_id, at, reason

    def __str__(self):
        when = f" ({self.at:%Y-%m-%d %H:%M:%S})" if self.at else ""
        return f"entry {self.entry_id}{when}: {self.reason}"


def verify(batch_size: int = 2000, progress=None, using=None):
    """Walk the whole chain in id order. Returns (entries checked, head hash, Break or None)."""
    from .models import AuditChainHead, AuditEntry  # core.models imports this module

    using = using or DEFAULT_DB_ALIAS
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    # After the retention dropped older months, the chain begins where it left it.
    prev = head.start_hash if head is not None else GENESIS
    checked, last_id = 0, 0
    rows = (
        AuditEntry.objects.using(using)
        .order_by("id")
        .values_list("id", "prev_hash", "hash", *FIELDS)
        .iterator(chunk_size=batch_size)
    )
    for row in rows:
        pk, prev_hash, hash_, values = row[0], row[1], row[2], row[3:]
        if prev_hash != prev:
            reason = "the entry before it was changed or deleted"
            return checked, prev, Break(pk, values[0], reason)
        try:
            holds = entry_hash(prev, values) == hash_
        except (TypeError, ValueError, AttributeError):  # a value no writer could have made
            holds = False
        if not holds:
            return checked, prev, Break(pk, values[0], "its content was changed")
        prev, last_id, checked = hash_, pk, checked + 1
        if progress and checked % (batch_size * 50) == 0:
            progress(checked)
    if head is not None and (head.last_id, head.hash) != (last_id, prev):
        reason = f"the last entries were deleted (the chain's head is entry {head.last_id})"
        return checked, prev, Break(last_id, None, reason)
    return checked, prev, None
