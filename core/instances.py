"""Model instances from the rows of a compiled query (core.compiled).

`Prepared` runs values() querysets only. A page that needs the record itself (its methods,
its properties, its related rows) reads the values of every concrete field of the model and
of the relations select_related would follow, and `Shape.build` makes the instances
from the row as the ORM does (`Model.from_db`, the related instance cached on its field), so
the page gets what `queryset.select_related(*related)` would give, without the
query's SQL built anew on every request (bench/README.md, "Where a page's CPU goes").
"""

from django.db import models


class Shape:
    """The values() names of `model`'s concrete fields and of the relations `related`
    (select_related's paths, e.g. "area__parent": many-to-one, or a reverse one-to-one),
    and how to make the instances of one row of them."""

    def __init__(self, model, related=()):
        self.model = model
        paths = set()
        for path in related:
            parts = path.split("__")
            paths.update("__".join(parts[: n + 1]) for n in range(len(parts)))
        # Parents before children: "area" is built before "area__parent" is cached on it.
        self.parts = []  # (path, model, names, attnames, parent path, field)
        self.names = []
        models_of = {"": model}
        for path in ["", *sorted(paths, key=lambda p: (p.count("__"), p))]:
            parent, _sep, name = path.rpartition("__")
            field = None
            if path:
                field = models_of[parent]._meta.get_field(name)
                forward = isinstance(field, models.ForeignKey)
                if not (forward or isinstance(field, models.OneToOneRel)):
                    raise ValueError(f"{path}: not a many-to-one or reverse one-to-one relation")
                models_of[path] = field.related_model
            part_model = models_of[path]
            fields = part_model._meta.concrete_fields
            names = [f"{path}__{f.name}" if path else f.name for f in fields]
            self.parts.append((path, part_model, names, [f.attname for f in fields], parent, field))
            self.names += names

    def build(self, row: dict, alias: str):
        """The instance of `row` (a dict of `names`), its related instances cached on it."""
        built = {}
        for path, model, names, attnames, parent, field in self.parts:
            owner = built.get(parent) if path else None
            if path and owner is None:
                continue  # below an empty relation: select_related stops there too
            values = [row[name] for name in names]
            pk = row[names[attnames.index(model._meta.pk.attname)]]
            instance = model.from_db(alias, attnames, values) if pk is not None else None
            if path:
                field.set_cached_value(owner, instance)
                if instance is not None and isinstance(field, models.OneToOneRel):
                    # As select_related: the one-to-one's own side knows its owner too.
                    field.remote_field.set_cached_value(instance, owner)
            built[path] = instance
        return built[""]
