"""Bulk inserts whose values are made ready before the transaction that writes them.

Django's bulk_create turns every value into SQL inside the call, that is inside the
transaction; for a 5,000-row roster import (25,000 rows in four tables) that is seconds of
Python while SQLite's write lock (the whole database) is held, and every other user's
writes wait. `PreparedRows` does that work first; the transaction only sends the rows.
"""

from django.db import connections, router
from django.db.models import AutoField, BigAutoField, SmallAutoField

AUTO_FIELDS = (AutoField, BigAutoField, SmallAutoField)


class PreparedRows:
    """The insert of `objects` (unsaved instances of `model`), their values made ready for
    the database now. Foreign keys to rows not inserted yet are filled in by `link` once
    those have their ids."""

    def __init__(self, model, objects: list):
        self.model = model
        self.objects = objects
        self.alias = router.db_for_write(model)
        connection = connections[self.alias]
        self.fields = [f for f in model._meta.concrete_fields if not isinstance(f, AUTO_FIELDS)]
        self.rows = [
            [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in self.fields]
            for obj in objects
        ]

    def link(self, name: str) -> None:
        """Fill in the foreign key `name` (e.g. "child") from the related objects' ids."""
        field = self.model._meta.get_field(name)
        index = self.fields.index(field)
        for obj, row in zip(self.objects, self.rows, strict=True):
            related_id = getattr(obj, name).pk
            setattr(obj, field.attname, related_id)
            row[index] = related_id

    def insert(self) -> None:
        """Send the rows; each object gets its id (one INSERT … RETURNING per batch)."""
        if not self.objects:
            return
        connection = connections[self.alias]
        quote = connection.ops.quote_name
        pk = self.model._meta.pk
        columns = ", ".join(quote(field.column) for field in self.fields)
        one_row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        size = max(1, connection.ops.bulk_batch_size(self.fields, self.objects))
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), size):
                rows = self.rows[start : start + size]
                cursor.execute(
                    f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) "
                    f"VALUES {', '.join([one_row] * len(rows))} RETURNING {quote(pk.column)}",
                    [value for row in rows for value in row],
                )
                ids = [found[0] for found in cursor.fetchall()]
                for obj, new_id in zip(self.objects[start : start + size], ids, strict=True):
                    setattr(obj, pk.attname, new_id)
                    obj._state.adding = False
                    obj._state.db = self.alias
