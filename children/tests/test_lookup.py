"""child_or_404: the compiled lookup gives what the ORM's select_related query gives, and
keeps the jurisdiction (a 404 outside it)."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from children.lookup import child_or_404
from children.models import Child
from core.scoping import get_visible_or_404
from tests.personas import make_child


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _state(instance, depth=0):
    """Every concrete field's value, and the related instances select_related cached (and
    theirs: a one-to-one's own side points back to its owner, by id here)."""
    values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    if depth > 1:
        return values
    cached = {
        name: _state(related, depth + 1) if related is not None else None
        for name, related in instance._state.fields_cache.items()
    }
    return values, cached, instance._state.db, instance._state.adding


@pytest.mark.parametrize(
    "related", [(), ("basis_recorded_by",), ("basis_recorded_by", "caregiver")]
)
def test_the_compiled_lookup_gives_the_orms_child(world, director, county_officer, related):
    plain = make_child(world["a1"], "王一", id_number="341623201605010015")
    recorded = make_child(world["a1"], "王二", caregiver=False)
    # Who recorded the basis is read with the child (a nullable relation, set here).
    type(recorded).objects.filter(pk=recorded.pk).update(
        basis_recorded_by=director, basis_recorded_at=timezone.now()
    )
    for user in (director, county_officer):
        for child in (plain, recorded):
            compiled = child_or_404(_request(user), child.pk, *related)
            queryset = Child.objects.select_related("area", "area__parent", *related)
            orm = get_visible_or_404(queryset, user, pk=child.pk)
            assert _state(compiled) == _state(orm)
            assert set(compiled._state.fields_cache) == {"area", *related}
            assert compiled.area.parent.name == "城关镇"
            assert compiled.id_number == "341623201605010015" or child is recorded


def test_outside_the_jurisdiction_or_unknown_it_is_404(world, director, other_director, volunteer):
    child = make_child(world["a1"])
    assert child_or_404(_request(director), child.pk).pk == child.pk
    for user, pk in [(other_director, child.pk), (volunteer, child.pk), (director, 10**9)]:
        with pytest.raises(Http404):
            child_or_404(_request(user), pk)
    with pytest.raises(Http404):
        child_or_404(_request(director), "x")


def test_a_childs_rows_on_its_page_compiled_are_the_orms(world, director, other_director):
    from children.models import Transfer
    from children.services import update_child
    from children.services.concerns import open_concern
    from children.views import _of_child, _siblings

    child = make_child(world["a1"], "王一")
    sister = make_child(world["a1"], "王二")
    cousin = make_child(world["b1"], "王三")  # another village: its director's
    child.siblings.add(sister, cousin)
    for i in range(3):
        update_child(director, child, {"village_group": f"{i}组"})
    open_concern(director, child, "无人照看", source="visit")
    open_concern(director, child, "缺课", source="visit")
    Transfer.objects.create(
        child=child,
        from_area=world["a1"],
        to_area=world["b1"],
        actor=director,
        state=Transfer.State.PENDING,
    )
    orm = {
        "parents": child.parents.all(),
        "concerns": child.concerns.select_related("owner"),
        "changes": child.changes.all()[:50],
        "pending_handover": child.transfers.filter(state=Transfer.State.PENDING).select_related(
            "to_area"
        )[:1],
    }
    for name, rows in orm.items():
        compiled = _of_child(name, child)
        assert compiled and compiled == list(rows), name
        assert [_state(r) for r in compiled] == [_state(r) for r in rows], name
        assert all(r.child is child for r in compiled)
    assert compiled[0].to_area.name == world["b1"].name
    assert [s["name"] for s in _siblings(child, director)] == ["王二"]
    assert [s["name"] for s in _siblings(child, other_director)] == ["王三"]
