"""children.services helpers used by other apps."""

from tests.personas import make_child


def test_snapshot_rows_equal_snapshot_of_each_child(world):
    import datetime as dt

    from children.models import Child
    from children.services import _family, snapshot, snapshot_rows

    make_child(world["a1"], "王小明", id_number=None, school="王庄小学", dibao=True)
    make_child(world["a1"], "王小红", caregiver=False, father="deceased", mother="migrant")
    make_child(
        world["a2"],
        "李小军",
        born=dt.date(2013, 2, 3),
        income_sources=["wages", "farming"],
        grandparents={"paternal_grandfather": {"name": "李爷爷", "birth_date": "1950-01-01"}},
    )
    rows = snapshot_rows(Child.objects.all())
    assert len(rows) == 3
    for child in Child.objects.all():
        parents, caregiver = _family(child)
        assert rows[child.pk] == snapshot(child, parents, caregiver)
