"""The round's workflow: who may take each step, in which state, and what it records."""

import datetime as dt

import pytest
from django.utils import translation

from children import services as registry
from core.audit import AuditEntry
from core.exceptions import Invalid, NotNow, Refused
from rounds import services
from rounds.models import ChildCheck, ReturnState, Round, VillageReturn, VillageSnapshot
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English (the interface defaults to Chinese)."""
    with translation.override("en"):
        yield


DUE = dt.date(2027, 1, 15)


@pytest.fixture
def children(world):
    return {
        "a1_one": make_child(world["a1"], "王小明"),
        "a1_two": make_child(world["a1"], "王小红", born=dt.date(2012, 3, 1)),
        "a2_one": make_child(world["a2"], "李小军"),
        "b1_one": make_child(world["b1"], "张小红"),
    }


@pytest.fixture
def q4(world, county_officer, children):
    return services.open_round(county_officer, world["county"], 2026, 4, DUE)


def the_return(the_round, village):
    return VillageReturn.objects.select_related("round", "area").get(round=the_round, area=village)


def complete(actor, ret):
    for child in services.roster(ret):
        services.check_child(actor, ret, child)


def test_opening_a_round_gives_every_village_a_return(world, q4):
    assert q4.label == "2026-Q4"
    assert q4.period_start == dt.date(2026, 10, 1) and q4.period_end == dt.date(2026, 12, 31)
    assert set(q4.returns.values_list("area__code", flat=True)) == {
        world["a1"].code,
        world["a2"].code,
        world["b1"].code,
    }
    assert set(q4.returns.values_list("state", flat=True)) == {ReturnState.NOT_STARTED}
    assert AuditEntry.objects.filter(action="round.open").exists()


def test_one_open_round_per_county_and_one_round_per_quarter(world, county_officer, q4):
    with pytest.raises(NotNow, match="Another round is open"):
        services.open_round(county_officer, world["county"], 2027, 1, DUE)
    Round.objects.filter(pk=q4.pk).update(state=Round.State.CLOSED)
    with pytest.raises(NotNow, match="already has a round"):
        services.open_round(county_officer, world["county"], 2026, 4, DUE)


@pytest.mark.parametrize("persona", ["township_officer", "director", "leader", "volunteer"])
def test_only_county_officers_open_rounds(request, world, children, persona):
    with pytest.raises(Refused):
        services.open_round(request.getfixturevalue(persona), world["county"], 2026, 4, DUE)


def test_the_walk_counts_progress_and_blocks_an_incomplete_submission(world, director, q4):
    ret = the_return(q4, world["a1"])
    assert services.progress(ret) == {
        "checked": 0,
        "total": 2,
        "left": 2,
        "closed": 0,
        "complete": False,
    }
    first = services.roster(ret).first()
    services.check_child(director, ret, first)
    ret.refresh_from_db()
    assert ret.state == ReturnState.IN_PROGRESS
    assert services.progress(ret)["checked"] == 1
    with pytest.raises(NotNow, match="1 children are not checked"):
        services.submit_return(director, ret)
    complete(director, ret)
    services.submit_return(director, ret)
    ret.refresh_from_db()
    assert ret.state == ReturnState.SUBMITTED
    assert ret.submitted_by == director and ret.submitted_at is not None
    assert ret.events.get().action == "submitted"


def test_registry_work_since_the_round_opened_counts_as_checks(world, director, q4, children):
    ret = the_return(q4, world["a1"])
    newcomer = make_child(world["a1"], "王新", actor=director)
    edited = children["a1_one"]
    form = {"school": "王庄小学"}
    registry.update_child(director, edited, form)
    registry.close_child(director, children["a1_two"], "moved_away", dt.date(2026, 11, 20))
    assert services.sync_checks(ret) == 3
    outcomes = dict(ret.checks.values_list("child__name", "outcome"))
    assert outcomes == {"王新": "new", "王小明": "changed", "王小红": "closed"}
    assert services.progress(ret) == {
        "checked": 2,
        "total": 2,
        "left": 0,
        "closed": 1,
        "complete": True,
    }
    assert newcomer.pk in set(services.roster(ret).values_list("pk", flat=True))


def test_the_daily_job_does_not_check_children_for_the_village(world, director, q4, children):
    ret = the_return(q4, world["a1"])
    registry.update_child(None, children["a1_one"], {"school": "王庄小学"})
    assert services.sync_checks(ret) == 0


def test_a_director_cannot_approve_and_a_township_cannot_approve_unsubmitted(
    world, director, township_officer, q4
):
    ret = the_return(q4, world["a1"])
    with pytest.raises(NotNow, match="Only a submitted return"):
        services.approve_return(township_officer, ret)
    complete(director, ret)
    services.submit_return(director, ret)
    with pytest.raises(Refused, match="may not"):
        services.approve_return(director, ret)


def test_other_township_cannot_review_and_other_director_cannot_fill(
    world, director, other_director, other_township_officer, q4
):
    ret = the_return(q4, world["a1"])
    with pytest.raises(Refused):
        services.check_child(other_director, ret, services.roster(ret).first())
    complete(director, ret)
    services.submit_return(director, ret)
    with pytest.raises(Refused):
        services.approve_return(other_township_officer, ret)


def test_returned_with_comment_then_fixed_resubmitted_and_approved(
    world, director, township_officer, q4
):
    ret = the_return(q4, world["a1"])
    complete(director, ret)
    services.submit_return(director, ret)
    with pytest.raises(Invalid, match="Say what"):
        services.return_for_correction(township_officer, ret, "  ")
    services.return_for_correction(township_officer, ret, "王小明的学校填错了")
    ret.refresh_from_db()
    assert ret.state == ReturnState.RETURNED and ret.review_comment == "王小明的学校填错了"
    services.check_child(director, ret, services.roster(ret).first(), note="学校已改")
    services.submit_return(director, ret)
    snapshot = services.approve_return(township_officer, the_return(q4, world["a1"]))
    ret.refresh_from_db()
    assert ret.state == ReturnState.APPROVED
    assert [e.action for e in ret.events.all()] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert snapshot.figures["total"] == 2
    with pytest.raises(NotNow):
        services.check_child(director, ret, services.roster(ret).first())


def test_approval_freezes_the_quarter_and_later_edits_never_change_it(
    world, director, township_officer, county_officer, q4, children
):
    ret = the_return(q4, world["a1"])
    complete(director, ret)
    services.submit_return(director, ret)
    snap = services.approve_return(township_officer, ret)
    assert snap.figures["category"]["left_behind"] == 2
    assert snap.figures["sex"] == {"M": 2, "F": 0}
    assert snap.figures["age_band"]["6-13"] == 1 and snap.figures["age_band"]["14-15"] == 1
    assert snap.figures["new"] == 2  # the first quarter: everyone is new
    registry.update_child(director, children["a1_one"], {"name": "王晓明"})
    registry.close_child(director, children["a1_two"], "moved_away", dt.date(2026, 12, 1))
    frozen = VillageSnapshot.objects.get(pk=snap.pk)
    assert frozen.figures == snap.figures
    assert sorted(frozen.children.values_list("data__name", flat=True)) == ["王小明", "王小红"]


def test_differences_since_the_last_approved_quarter(
    world, director, township_officer, county_officer, q4, children
):
    ret = the_return(q4, world["a1"])
    complete(director, ret)
    services.submit_return(director, ret)
    services.approve_return(township_officer, ret)
    Round.objects.filter(pk=q4.pk).update(state=Round.State.CLOSED)
    q1 = services.open_round(county_officer, world["county"], 2027, 1, dt.date(2027, 4, 15))
    registry.update_child(director, children["a1_one"], {"school": "王庄小学"})
    registry.close_child(director, children["a1_two"], "moved_away", dt.date(2027, 1, 20))
    make_child(world["a1"], "王新", actor=director)
    diff = services.differences(the_return(q1, world["a1"]))
    assert not diff["baseline"]
    assert [name for _pk, name in diff["new"]] == ["王新"]
    assert [c.name for c in diff["exited"]] == ["王小红"]
    (pk, name, changes) = diff["changed"][0]
    assert name == "王小明" and changes["school"] == [None, "王庄小学"]


def test_township_summary_needs_every_village_approved_and_round_closes_after_all(
    world,
    director,
    township_officer,
    township_staff,
    other_township_officer,
    other_director,
    county_officer,
    q4,
):
    with pytest.raises(NotNow, match="not approved"):
        services.submit_township(township_officer, q4, world["a"])
    for village, filler, reviewer in (
        ("a1", director, township_officer),
        # Filled in by the township's supervisor, so approved by its staff (duties apart).
        ("a2", township_officer, township_staff),
        ("b1", other_director, other_township_officer),
    ):
        ret = the_return(q4, world[village])
        complete(filler, ret)
        services.submit_return(filler, ret)
        services.approve_return(reviewer, ret)
    summary = services.submit_township(township_officer, q4, world["a"])
    assert summary.figures["total"] == 3
    with pytest.raises(NotNow, match="阚疃镇"):
        services.close_round(county_officer, q4)
    services.submit_township(other_township_officer, q4, world["b"])
    with pytest.raises(Refused):
        services.close_round(township_officer, q4)
    services.close_round(county_officer, q4)
    q4.refresh_from_db()
    assert q4.state == Round.State.CLOSED and q4.closed_by == county_officer


def test_overdue_returns(world, q4):
    assert not VillageReturn.objects.overdue(DUE).exists()
    assert VillageReturn.objects.overdue(DUE + dt.timedelta(days=1)).count() == 3


def test_checks_are_unique_per_child(world, director, q4):
    ret = the_return(q4, world["a1"])
    child = services.roster(ret).first()
    services.check_child(director, ret, child)
    services.check_child(director, ret, child)
    assert ChildCheck.objects.filter(village_return=ret, child=child).count() == 1
