"""Tables that grow without end, split by time in PostgreSQL (declarative partitioning).

Visits (a year a partition), notifications and the audit log (a month a partition) grow
with every day of use: at national scale a hundred million visits over six years, and an
audit entry for every read of a child's record. Split by time, each partition's indexes stay
the size of a period, the newest are the ones in memory, VACUUM works on one period at a
time, and the audit log's retention drops a whole month at once instead of deleting rows.

- `convert` (in a migration) turns a table into a partitioned one, keeping its rows, indexes,
  constraints and id sequence; every period from the oldest row to a few ahead gets its
  partition, and a default partition catches a row of a period without one (a date typed
  far in the past or future), so an insert never fails for want of a partition.
- `keep_ahead` (the daily job jobs.tasks.keep_partitions) makes the partitions of the
  coming periods before they are needed, moving any rows the default partition caught.
- `drop_before` drops whole partitions older than a day (the audit log's retention).

SQLite (the embedded county) keeps plain tables: every function here does nothing there,
and the retention deletes rows instead (core.retention).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connections, transaction


@dataclass(frozen=True)
class Partitioned:
    """A table split by time: its column, the period of a partition, how many ahead."""

    table: str
    column: str
    unit: str  # "year" or "month"
    ahead: int
    back: int = 0  # periods before the current one made with the table (history imported)

    def start_of(self, day: dt.date) -> dt.date:
        """The first day of the period holding `day`."""
        return dt.date(day.year, 1, 1) if self.unit == "year" else day.replace(day=1)

    def after(self, start: dt.date) -> dt.date:
        """The first day of the next period."""
        if self.unit == "year":
            return dt.date(start.year + 1, 1, 1)
        return dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)

    def name_of(self, start: dt.date) -> str:
        suffix = f"y{start:%Y}" if self.unit == "year" else f"m{start:%Y%m}"
        return f"{self.table}_{suffix}"

    @property
    def default(self) -> str:
        return f"{self.table}_default"


# The registry's visits go back to the policy of 2016: a county bringing its history finds
# the years ready. Notifications and audit entries are written as they happen.
VISITS = Partitioned("care_visit", "visited_on", "year", ahead=1, back=10)
NOTIFICATIONS = Partitioned("care_notification", "day", "month", ahead=2)
AUDIT = Partitioned("core_auditentry", "at", "month", ahead=2)
TABLES = [VISITS, NOTIFICATIONS, AUDIT]


def supported(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def _bounds(spec: Partitioned, start: dt.date) -> str:
    # A timestamptz column's bounds are midnight in the service's time zone (the session's).
    return f"FROM ('{start.isoformat()}') TO ('{spec.after(start).isoformat()}')"


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return bool(row and row[0])


def partitions(cursor, spec: Partitioned) -> list[str]:
    """The names of a partitioned table's partitions (its default one included)."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
        [spec.table],
    )
    return [name for (name,) in cursor.fetchall()]


def convert(schema_editor, spec: Partitioned, today: dt.date | None = None) -> None:
    """Turn `spec.table` into a table partitioned by range of `spec.column` (PostgreSQL; a
    migration's RunPython). The rows are copied into the partitions; other tables' foreign
    keys to this one must have been dropped before (a partitioned table's ids are unique
    only with the period: its primary key is (id, column))."""
    if schema_editor.connection.vendor != "postgresql":
        return
    today = today or dt.date.today()
    table, old = spec.table, f"{spec.table}_unpartitioned"
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            return
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [table],
        )
        (primary,) = cursor.fetchone()
        cursor.execute(f"SELECT min({spec.column}), max(id) FROM {table}")
        oldest, last_id = cursor.fetchone()
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        for name, _definition, constraint, _condef in indexes:
            if constraint:
                cursor.execute(f'ALTER TABLE "{old}" DROP CONSTRAINT "{constraint}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE "{old}" DROP CONSTRAINT "{name}"')
        cursor.execute(f'ALTER TABLE "{old}" DROP CONSTRAINT "{primary}"')
        cursor.execute(
            f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY '
            f'INCLUDING STORAGE) PARTITION BY RANGE ("{spec.column}")'
        )
        first = spec.start_of(today)
        for _ in range(spec.back):
            first = spec.start_of(first - dt.timedelta(days=1))
        if oldest is not None:
            oldest = oldest.date() if isinstance(oldest, dt.datetime) else oldest
            first = min(first, spec.start_of(oldest))
        cursor.execute(f'CREATE TABLE "{spec.default}" PARTITION OF "{table}" DEFAULT')
        start = first
        last = spec.start_of(today)
        for _ in range(spec.ahead):
            last = spec.after(last)
        while start <= last:
            cursor.execute(
                f'CREATE TABLE "{spec.name_of(start)}" PARTITION OF "{table}" '
                f"FOR VALUES {_bounds(spec, start)}"
            )
            start = spec.after(start)
        # The rows first, then the keys, indexes and constraints: building an index once over
        # a hundred million visits is much cheaper than keeping five up to date row by row.
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
        cursor.execute(f'DROP TABLE "{old}"')
        cursor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{primary}" PRIMARY KEY (id, "{spec.column}")'
        )
        for _name, definition, constraint, condef in indexes:
            if constraint:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {condef}')
            else:
                cursor.execute(definition.replace(f" ON public.{old} ", f" ON public.{table} "))
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        if last_id:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id RESTART WITH {last_id + 1}')


def unconvert(schema_editor, spec: Partitioned, today: dt.date | None = None) -> None:
    """The migration's way back: a plain table again, with its rows and indexes."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table, old = spec.table, f"{spec.table}_partitioned"
    with schema_editor.connection.cursor() as cursor:
        if not is_partitioned(cursor, table):
            return
        cursor.execute(
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        indexes = [definition for (definition,) in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c', 'u')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(
            f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY)'
        )
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
        cursor.execute(f'DROP TABLE "{old}" CASCADE')
        cursor.execute(f'ALTER TABLE "{table}" ADD PRIMARY KEY (id)')
        for definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def migration(spec: Partitioned):
    """The migration operation that partitions `spec.table` (and makes it plain again)."""
    from django.db import migrations

    return migrations.RunPython(
        lambda apps, schema_editor: convert(schema_editor, spec),
        lambda apps, schema_editor: unconvert(schema_editor, spec),
    )


def keep_ahead(today: dt.date, using: str = "default") -> list[str]:
    """Make the partitions of the current period and the `ahead` ones after it, where
    missing, and a partition for each period of which the default partition caught rows
    (history brought in later), the rows moved into it. Returns the partitions made."""
    if not supported(using):
        return []
    made = []
    connection = connections[using]
    for spec in TABLES:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if not is_partitioned(cursor, spec.table):
                continue
            existing = set(partitions(cursor, spec))
            wanted = [spec.start_of(today)]
            for _ in range(spec.ahead):
                wanted.append(spec.after(wanted[-1]))
            truncate = "year" if spec.unit == "year" else "month"
            cursor.execute(
                f"SELECT DISTINCT date_trunc('{truncate}', \"{spec.column}\")::date "
                f'FROM "{spec.default}"'
            )
            wanted += [start for (start,) in cursor.fetchall()]
            for start in sorted(set(wanted)):
                name = spec.name_of(start)
                if name not in existing:
                    make_partition(cursor, spec, start)
                    made.append(name)
    return made


def make_partition(cursor, spec: Partitioned, start: dt.date) -> None:
    """One period's partition, made as a table of its own, filled with the rows the default
    partition holds for it, then attached (PostgreSQL refuses a new partition while the
    default holds rows of its period)."""
    name, bounds = spec.name_of(start), _bounds(spec, start)
    end = spec.after(start)
    cursor.execute(f'LOCK TABLE "{spec.table}" IN SHARE ROW EXCLUSIVE MODE')
    cursor.execute(f'CREATE TABLE "{name}" (LIKE "{spec.table}" INCLUDING DEFAULTS)')
    where = f"\"{spec.column}\" >= '{start.isoformat()}' AND \"{spec.column}\" < '{end}'"
    cursor.execute(f'INSERT INTO "{name}" SELECT * FROM "{spec.default}" WHERE {where}')
    cursor.execute(f'DELETE FROM "{spec.default}" WHERE {where}')
    cursor.execute(f'ALTER TABLE "{spec.table}" ATTACH PARTITION "{name}" FOR VALUES {bounds}')


def drop_before(spec: Partitioned, day: dt.date, using: str = "default") -> list[str]:
    """Drop the partitions whose whole period ends on or before `day` (PostgreSQL only)."""
    if not supported(using):
        return []
    dropped = []
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for name in partitions(cursor, spec):
            start = period_of(spec, name)
            if start is not None and spec.after(start) <= day:
                cursor.execute(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{name}"')
                cursor.execute(f'DROP TABLE "{name}"')
                dropped.append(name)
    return dropped


def period_of(spec: Partitioned, name: str) -> dt.date | None:
    """The first day of a partition's period, from its name (None for the default)."""
    suffix = name.removeprefix(spec.table + "_")
    if suffix.startswith("y") and suffix[1:].isdigit():
        return dt.date(int(suffix[1:]), 1, 1)
    if suffix.startswith("m") and suffix[1:].isdigit():
        return dt.date(int(suffix[1:5]), int(suffix[5:7]), 1)
    return None
