"""The one way a page looks up a child by its number: inside the user's jurisdiction."""

import functools

from django.db import router
from django.http import Http404

from core.compiled import prepared, sentinel_id
from core.instances import Shape
from core.scoping import STAND_IN_PREFIX, get_visible_or_404, jurisdiction_prefix, range_bounds

from .models import Child


def child_or_404(request, pk, *related: str) -> Child:
    """The child `pk` if the user may see it, with its village and township (one query);
    a 404 otherwise, so that a record outside the jurisdiction is not revealed. `related`
    names more relations a page shows (many-to-one, or a reverse one-to-one such as the
    caregiver), read in the same query.

    The query is compiled once per process (core.compiled), the scope's bounds and the id
    its values: every child's page, section and form looks its child up, and building the
    ORM query of sixty columns was a fifth of a relief section's CPU."""
    prefix = jurisdiction_prefix(request.user)
    bounds = range_bounds(prefix) if prefix is not None else None
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if bounds is None:  # no area (404), or a prefix that is no range: the ORM decides
        return get_visible_or_404(
            Child.objects.select_related("area", "area__parent", *related), request.user, pk=pk
        )
    related = ("area", "area__parent", *related)
    rows = _lookup(related).run(pk, prefix)
    if not rows:
        raise Http404
    return _shape(related).build(rows[0], router.db_for_read(Child))


@functools.cache
def _shape(related: tuple[str, ...]) -> Shape:
    return Shape(Child, related)


def _lookup(related: tuple[str, ...]):
    shape = _shape(related)

    def make(pk, prefix):
        # .order_by(): as get() does (the roster's ordering would join for nothing).
        return Child.objects.within(prefix).filter(pk=pk).order_by().values(*shape.names)

    return prepared(
        ("children.child_or_404", related),
        make,
        sentinel_id(),
        STAND_IN_PREFIX,
        model=Child,
        params=lambda pk, prefix: [pk, *range_bounds(prefix)],
    )
