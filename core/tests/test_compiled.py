"""core.compiled: a queryset compiled once gives, run with other values, what the ORM gives."""

import pytest
from django.db.models import Count

from areas.codes import Level
from areas.models import Area
from core import compiled
from core.compiled import Prepared, sentinel_id, sentinel_text, uncompiled

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(db):
    province = Area.objects.create(code="340000000000", name="安徽省", level=Level.PROVINCE)
    return [province] + [
        Area.objects.create(
            code=f"34{n:02d}00000000", name=f"市{n}", level=Level.CITY, parent=province
        )
        for n in range(1, 6)
    ]


def by_ids(ids, level):
    return Area.objects.filter(pk__in=ids, level=level).order_by("code").values("pk", "code")


def test_ids_and_a_scalar_take_the_stand_ins_places(areas):
    query = Prepared(by_ids, [sentinel_id()], sentinel_text())
    for ids, level in (
        ([a.pk for a in areas], Level.CITY),
        ([areas[0].pk], Level.PROVINCE),
        ([areas[3].pk, areas[1].pk, areas[3].pk, None], Level.CITY),
        ([10**9], Level.CITY),
        ([], Level.CITY),  # the ORM's answer to an empty list: nothing
    ):
        assert query.run(ids, level) == list(by_ids(ids, level))


def test_rows_take_the_querysets_shape_and_converters(areas):
    def counts(ids):
        return Area.objects.filter(pk__in=ids).values("level").annotate(n=Count("pk")).order_by()

    ids = [a.pk for a in areas]
    assert Prepared(counts, [sentinel_id()]).run(ids) == list(counts(ids))

    def flat(ids):
        return Area.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)

    assert Prepared(flat, [sentinel_id()]).run(ids) == ids

    def tuples(ids):
        return Area.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "code")

    assert Prepared(tuples, [sentinel_id()]).run(ids) == list(tuples(ids))


def test_a_stand_in_the_sql_does_not_hold_is_refused(areas):
    with pytest.raises(ValueError):
        Prepared(lambda ids: Area.objects.filter(pk__in=[1]).values("pk"), [sentinel_id()])
    with pytest.raises(ValueError):  # a list stand-in outside an IN (…)
        Prepared(lambda ids: Area.objects.filter(pk=ids[0]).values("pk"), [sentinel_id()])
    with pytest.raises(TypeError):  # model instances are not rows
        Prepared(lambda ids: Area.objects.filter(pk__in=ids), [sentinel_id()])


def test_a_query_is_compiled_once_per_key_and_the_orm_runs_when_uncompiled(areas):
    built = []

    def make(ids):
        built.append(ids)
        return by_ids(ids, Level.CITY)

    ids = [areas[1].pk, areas[2].pk]
    for _ in range(3):
        query = compiled.prepared("test.by_ids", make, [sentinel_id()], model=Area)
        assert query.run(ids) == list(by_ids(ids, Level.CITY))
    assert built == [[sentinel_id()]]
    with uncompiled():
        compiled.prepared("test.by_ids", make, [sentinel_id()], model=Area).run(ids)
    assert built == [[sentinel_id()], ids]
    compiled.forget()
    compiled.prepared("test.by_ids", make, [sentinel_id()], model=Area).run(ids)
    assert len(built) == 3
