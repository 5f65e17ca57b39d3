"""Queries whose shape never changes, turned into SQL once and run again with new values.

Django builds a query's SQL anew each time it is evaluated. For a query of 35 sums or
filtered counts that building is most of its cost, while the database's own work is small
(stats.services: a village's recount after every visit save, a dashboard's sums).

`Prepared` builds such a queryset once with stand-in values (an id list of one sentinel id,
a sentinel code prefix …), compiles it, and finds the stand-ins among the compiled
parameters. Each run puts the real values in their places (a list in the place of an
`IN (%s)` of one stand-in becomes as many placeholders), executes the SQL and gives the
rows as the queryset would have: dicts for values(), tuples for values_list(), the values
for values_list(flat=True), through the converters Django applies. `prepared` keeps them
for the process under a key the caller gives, per database alias and vendor (the SQL of
PostgreSQL and SQLite differs). The queryset stays the one statement of the query: only
the values that change between runs may be stand-ins, everything else (dates the rules
derive from a day, say) belongs in the key.
"""

import contextlib
import re
import threading

from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models.query import FlatValuesListIterable, ValuesIterable, ValuesListIterable

# "%s" is a parameter's place in Django's SQL; "%%" a literal percent sign.
PLACEHOLDER = re.compile(r"%[s%]")
# Compiled queries kept per process (their keys may hold a date: a bound, not a leak).
MAX_KEPT = 256

_kept: dict = {}
_plain = threading.local()


def sentinel_id(n: int = 0) -> int:
    """An id no row has, standing in for ids while a query is compiled (the n-th)."""
    return -7_301_946_285 - n


def sentinel_text(n: int = 0) -> str:
    """A text no row holds, standing in for texts while a query is compiled (the n-th)."""
    return f"\x1fsentinel {n}\x1f"


def _same(param, sentinel) -> bool:
    # Typed: True == 1 and 1.0 == 1 in Python, and neither is a stand-in for 1.
    return param is sentinel or (type(param) is type(sentinel) and param == sentinel)


class Prepared:
    """The SQL of `make(*stand_ins)`, compiled once, run with other arguments.

    `make` returns a values() or values_list() queryset. `params` turns make's arguments
    into the values that change in the compiled parameters, in order: a scalar, or a list
    for an `IN (…)` (default: the arguments themselves). Every value of
    `params(*stand_ins)` must occur among the compiled parameters, and nothing else may
    equal it: choose stand-ins no real value or constant of the query can be. `make` is
    kept too (an empty list runs it): what it reads besides its arguments belongs in the
    key `prepared` keeps the query under.
    """

    def __init__(self, make, *stand_ins, params=None):
        self.make = make
        self.params = params
        queryset = make(*stand_ins)
        self.alias = queryset.db
        compiler = queryset.query.get_compiler(using=self.alias)
        sql, compiled = compiler.as_sql()
        compiled = list(compiled)
        self.shape = queryset._iterable_class
        if self.shape not in (ValuesIterable, ValuesListIterable, FlatValuesListIterable):
            raise TypeError("Prepared runs values() and values_list() querysets only")
        query = compiler.query
        self.names = (
            list(query.selected)
            if getattr(query, "selected", None)
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        # A sum or count's only converter makes a number an int (Expression.convert_value);
        # for a value already an int it is skipped, the result the same (most values, of
        # 35 sums a row).
        self.ints, self.converters = [], []
        for pos, (converters, expression) in compiler.get_converters(fields).items():
            output = getattr(expression, "output_field", None)
            if (
                converters == [expression.convert_value]
                and output is not None
                and output.get_internal_type().endswith("IntegerField")
            ):
                self.ints.append((pos, converters[0], expression))
            else:
                self.converters.append((pos, (converters, expression)))

        places = [m.span() for m in PLACEHOLDER.finditer(sql) if m.group() == "%s"]
        if len(places) != len(compiled):
            raise ValueError("the compiled SQL's placeholders do not match its parameters")
        sentinels = list(params(*stand_ins) if params else stand_ins)
        self.count = len(sentinels)
        self.many = [isinstance(s, list | tuple) for s in sentinels]
        self.scalars = []  # (parameter index, value index)
        lists = []  # (parameter index, value index)
        for which, sentinel in enumerate(sentinels):
            many = isinstance(sentinel, list | tuple)
            if many and len(sentinel) != 1:
                raise ValueError("a list stand-in holds one value")
            target = sentinel[0] if many else sentinel
            found = [i for i, p in enumerate(compiled) if _same(p, target)]
            if not found:
                raise ValueError(f"stand-in {target!r} is not among the compiled parameters")
            for i in found:
                if many:
                    start, end = places[i]
                    if not (sql[:start].rstrip().endswith("IN (") and sql[end:].startswith(")")):
                        raise ValueError(f"list stand-in {target!r} is not alone in an IN (…)")
                    lists.append((i, which))
                else:
                    self.scalars.append((i, which))
        lists.sort()
        self.lists = lists
        self.compiled = compiled
        # The SQL cut at the placeholders that become lists.
        cuts = [0]
        for i, _ in lists:
            cuts += places[i]
        cuts.append(len(sql))
        self.pieces = [sql[cuts[k] : cuts[k + 1]] for k in range(0, len(cuts), 2)]

    def bind(self, values) -> tuple[str, list]:
        """The SQL and its parameters with these values in the stand-ins' places."""
        params = self.compiled.copy()
        for i, which in self.scalars:
            params[i] = values[which]
        if not self.lists:
            return self.pieces[0], params
        sql, out, previous = [self.pieces[0]], [], 0
        for k, (i, which) in enumerate(self.lists):
            many = values[which]
            out += params[previous:i]
            out += many
            sql += [", ".join(["%s"] * len(many)), self.pieces[k + 1]]
            previous = i + 1
        out += params[previous:]
        return "".join(sql), out

    def run(self, *args) -> list:
        """What `list(make(*args))` gives, from the compiled SQL."""
        values = list(self.params(*args) if self.params else args)
        if len(values) != self.count:
            raise ValueError(f"{len(values)} values for {self.count} stand-ins")
        for which, many in enumerate(self.many):
            if many:
                # As the ORM's IN: no NULLs; an empty list is the ORM's (no SQL at all).
                value = [v for v in values[which] if v is not None]
                if not value:
                    return list(self.make(*args))
                values[which] = value
        sql, params = self.bind(values)
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if self.converters or self.ints:
            rows = [self._convert(row, connection) for row in rows]
        if self.shape is ValuesIterable:
            names = self.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        if self.shape is FlatValuesListIterable:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]

    def _convert(self, row, connection):
        row = list(row)
        for pos, converter, expression in self.ints:
            value = row[pos]
            if value is not None and value.__class__ is not int:
                row[pos] = converter(value, expression, connection)
        for pos, (converters, expression) in self.converters:
            value = row[pos]
            for converter in converters:
                value = converter(value, expression, connection)
            row[pos] = value
        return row


class _Plain:
    """The ORM itself, in place of a Prepared query (see `uncompiled`)."""

    def __init__(self, make):
        self.make = make

    def run(self, *args) -> list:
        return list(self.make(*args))


def prepared(key, make, *stand_ins, model, write=False, params=None) -> Prepared:
    """The Prepared query `make(*stand_ins)` kept under `key` (with the database alias the
    router gives `model` and its vendor): compiled at the first call, reused after."""
    if getattr(_plain, "on", False):
        return _Plain(make)
    alias = router.db_for_write(model) if write else router.db_for_read(model)
    full = (alias, connections[alias].vendor, key)
    query = _kept.get(full)
    if query is None:
        query = Prepared(make, *stand_ins, params=params)
        if len(_kept) >= MAX_KEPT:
            _kept.pop(next(iter(_kept)))  # the oldest
        _kept[full] = query
    return query


def kept(key, build, *, model, write=False):
    """Anything worked out once for a query (`build(alias)`: its SQL, say), kept under
    `key` like `prepared`'s queries."""
    alias = router.db_for_write(model) if write else router.db_for_read(model)
    full = (alias, connections[alias].vendor, key)
    value = _kept.get(full)
    if value is None:
        value = build(alias)
        if len(_kept) >= MAX_KEPT:
            _kept.pop(next(iter(_kept)))
        _kept[full] = value
    return value


@contextlib.contextmanager
def uncompiled():
    """Run `prepared` queries through the ORM in this thread (to compare the two in tests)."""
    before = getattr(_plain, "on", False)
    _plain.on = True
    try:
        yield
    finally:
        _plain.on = before


def forget(**kwargs) -> None:
    """Drop every compiled query (a changed setting may change the SQL or its values)."""
    _kept.clear()


setting_changed.connect(forget, dispatch_uid="core.compiled.forget")
