"""Fast inserts for the demo's bulk paths.

`bulk_create` spends most of its time preparing each value of each row (about 20 µs a
value): at county scale the demo writes well over a million values, which took the seed
past its minute. These helpers write the same rows with `executemany` from plain values,
converted once per column kind. They give rows explicit ids (the highest id plus one
onwards) so that callers can link rows to each other without reading them back; on
PostgreSQL the id sequence is moved past them afterwards.

Only the demo uses them, and only for rows the services would write themselves: the
callers say which service's rows they reproduce, and demo/tests compares the two.
"""

import json
import operator
from contextlib import contextmanager

from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

BATCH = 5000


def _cached(convert):
    """`convert` remembering its results: the demo's dates and times repeat a lot."""
    seen = {}

    def cached(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = convert(value)
            return result

    return cached


class Json(str):
    """A JSON field's value already encoded (a row's repeated or simple data)."""


def _json(value):
    if value is None:
        return None
    if isinstance(value, Json):
        return str(value)  # a plain str: database drivers adapt str, not every subclass
    return json.dumps(value, cls=DjangoJSONEncoder)


def _converter(field):
    """A function turning a Python value of `field` into what the database driver takes."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField):
        return _cached(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return _cached(ops.adapt_datefield_value)
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def roomy_cache() -> None:
    """Give SQLite a larger page cache for this connection: the seed inserts hundreds of
    thousands of rows into tables with several indexes, and with the default 2 MB cache most
    of its time went to evicting and re-reading index pages."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1048576")  # KiB: 1 GB


@contextmanager
def indexes_deferred(*models):
    """On SQLite, drop the plain (non-unique) indexes of `models`' tables for the block and
    create them again, from the same SQL, at its end: building an index once from sorted
    rows is much cheaper than updating five indexes for each of 200,000 rows (visits and
    their audit entries: 6.7 s against 4.2 s of processor). Unique indexes stay, so the
    constraints are checked as rows go in. The schema afterwards is the migrations' (DDL
    is transactional in SQLite: an error in the block rolls the drop back too). Elsewhere
    (PostgreSQL) nothing is dropped."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = [model._meta.db_table for model in models]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks}) ORDER BY name",
            tables,
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


def next_id(model) -> int:
    """The first id free after every row of `model` (ids are given explicitly)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
        return (cursor.fetchone()[0] or 0) + 1


def insert(model, columns: list[str], rows: list[tuple]) -> int:
    """Insert `rows` (tuples in the order of `columns`, Python values; a foreign key by its
    `<name>_id` attname) into `model`'s table. Returns the number of rows."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    converters = [(i, c) for i, c in enumerate(_converter(f) for f in fields) if c]
    names = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            if converters:
                # Column by column (map and zip loop in C): a per-cell Python loop cost
                # about a second over the seed's million converted values.
                values = list(zip(*chunk, strict=True))
                for i, convert in converters:
                    values[i] = map(convert, values[i])
                chunk = list(zip(*values, strict=True))
            cursor.executemany(sql, chunk)
    if "id" in columns:
        reset_sequence(model)
    return len(rows)


def reset_sequence(model) -> None:
    """After explicit ids, move PostgreSQL's id sequence past them (SQLite needs nothing)."""
    for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def insert_instances(objs: list, model=None) -> int:
    """Insert unsaved model instances with every concrete field (explicit ids given here:
    each instance's `pk` is set). Returns the number of rows."""
    if not objs:
        return 0
    model = model or type(objs[0])
    fields = [f for f in model._meta.concrete_fields]
    first = next_id(model)
    for offset, obj in enumerate(objs):
        obj.pk = first + offset
    for f in fields:  # auto_now / auto_now_add, as save() would fill them
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, f.attname) is None:
                    f.pre_save(obj, add=True)
    values = operator.attrgetter(*[f.attname for f in fields])  # one C call per row
    rows = [values(obj) for obj in objs]
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return insert(model, [f.attname for f in fields], rows)
