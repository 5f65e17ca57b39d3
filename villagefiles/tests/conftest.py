"""A small village file: village A1 with a home, a director, a team, and three children."""

import datetime as dt

import pytest

from tests.personas import make_child

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def programme(world):
    from relief.models import Programme

    return Programme.objects.create(
        county=world["county"], code="orphan", name="孤儿基本生活费", standard_amount=600
    )


@pytest.fixture
def files_world(world, director, programme):
    """A1: 王小明 (special, relief + contact), 李小红 (ordinary), 赵小刚 (special, nothing);
    a closed child and ended measures/contacts that the file must leave out."""
    from care.services import record_visit
    from children.services import close_child
    from people.models import ResponsibilityPost
    from relief.models import AssistanceContact, ReliefMeasure

    director.phone = "13900001111"
    director.save(update_fields=["phone"])
    ResponsibilityPost.objects.create(
        area=world["a1"], post="team_lead", holder_name="王建国", phone="13700002222"
    )
    ming = make_child(
        world["a1"], "王小明", caregiver=False, id_number=None, village_group="第三组"
    )
    hong = make_child(world["a1"], "李小红", born=dt.date(2012, 3, 4), village_group="第一组")
    hong.caregiver.phone = "13812345678"
    hong.caregiver.save(update_fields=["phone"])
    gang = make_child(world["a1"], "赵小刚", dibao=True)
    gone = make_child(world["a1"], "钱已走")
    close_child(director, gone, "moved_away", TODAY)
    make_child(world["b1"], "张小红")  # another township: never in A's files
    ReliefMeasure.objects.create(
        child=ming,
        programme=programme,
        amount=600,
        start_month=dt.date(2026, 1, 1),
        status="active",
    )
    ReliefMeasure.objects.create(
        child=gang,
        programme=programme,
        amount=300,
        start_month=dt.date(2025, 1, 1),
        end_month=dt.date(2025, 12, 1),
        status="ended",
    )
    AssistanceContact.objects.create(
        child=ming, name="周老师", role="teacher", phone="13655556666", since=dt.date(2026, 2, 1)
    )
    AssistanceContact.objects.create(
        child=gang,
        name="吴干部",
        role="village_cadre",
        since=dt.date(2025, 2, 1),
        until=dt.date(2025, 12, 31),
    )
    record_visit(director, ming, {"visited_on": dt.date(2026, 11, 2)})
    return {"ming": ming, "hong": hong, "gang": gang, "gone": gone}
