"""The demo shows the product's own warnings (issue 12, point 11): overdue visits in several
villages, findings of every level, three years of visits, a year of activities with the
children who came, changes, relief in every state, and closures made through the registry's
services with reasons that agree with the record. Also: the demo's bulk paths write what the
services write."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from care import schedule
from care.models import Activity, Visit, VisitSummary
from children.choices import CareLevel, CloseReason, ParentStatus
from children.models import Child, ChildChange
from concerns.models import ChangeEvent
from core.models import AuditEntry
from demo.care import RECENT_DAYS
from demo.seed import seed_demo
from people.models import User
from relief.models import MeasureChange, ReliefMeasure


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo county, seeded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo("small", seed=7)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo, db):
    return timezone.localdate()


def test_overdue_children_are_in_several_villages_including_the_directors(seeded):
    today = seeded
    children = schedule.with_visits(Child.objects.active())
    overdue = children.filter(
        schedule.overdue_q(CareLevel.SPECIAL, today) | schedule.overdue_q(CareLevel.ORDINARY, today)
    )
    villages = set(overdue.values_list("area_id", flat=True))
    assert len(villages) >= 2
    assert User.objects.get(username="director").area_id in villages
    # and the worklist of the director's village agrees
    director_village = User.objects.get(username="director").area
    work = schedule.worklist(Child.objects.active().filter(area=director_village), today)
    assert work[schedule.OVERDUE]


def test_visits_span_three_years_at_the_policys_rhythm(seeded):
    today = seeded
    span = Visit.objects.aggregate(first=Min("visited_on"), last=Max("visited_on"))
    assert span["first"] <= today.replace(year=today.year - 3) + dt.timedelta(days=31)
    assert span["last"] <= today
    # a special-attention child visited for years is visited in most months, an ordinary
    # child about once a year
    special = Child.objects.filter(
        care_level=CareLevel.SPECIAL, birth_date__lt=today.replace(year=today.year - 4)
    ).first()
    months = {(d.year, d.month) for d in special.visits.values_list("visited_on", flat=True)}
    assert len(months) >= 24
    ordinary = Child.objects.filter(
        care_level=CareLevel.ORDINARY, birth_date__lt=today.replace(year=today.year - 4)
    )
    counts = [c.visits.count() for c in ordinary[:30]]
    assert max(counts) <= 4 and sum(counts) / len(counts) >= 2


def test_findings_of_each_level_have_notes_and_most_visits_are_fine(seeded):
    aspects = Visit.ASPECTS
    concern = Q()
    urgent = Q()
    for aspect in aspects:
        concern |= Q(**{aspect: "concern"})
        urgent |= Q(**{aspect: "urgent"})
    total = Visit.objects.count()
    concerns = Visit.objects.filter(concern)
    urgents = Visit.objects.filter(urgent)
    assert concerns.exists() and urgents.exists()
    assert concerns.count() + urgents.count() < total * 0.25  # most visits find all fine
    for visit in [*concerns[:50], *urgents]:
        for aspect, _level, note in visit.findings():
            assert note, f"{aspect} of visit {visit.pk} has no note"
        assert visit.follow_up_on is not None


def test_recent_findings_opened_concerns_through_the_visit_service(seeded):
    recent = seeded - dt.timedelta(days=RECENT_DAYS)
    found = [
        v
        for v in Visit.objects.filter(visited_on__gt=recent).select_related("child")
        if v.findings()
    ]
    assert found
    from children.models import Concern

    for visit in found:
        assert Concern.objects.filter(source="visit", source_ref=visit.pk).exists()
    assert Child.objects.exclude(risk="").exists()


def test_every_visit_has_its_audit_entry_and_every_child_its_summary(seeded):
    assert AuditEntry.objects.filter(action="care.visit.created").count() == Visit.objects.count()
    visited = Visit.objects.values("child_id").distinct().count()
    assert VisitSummary.objects.exclude(last_visit=None).count() == visited
    latest = dict(
        Visit.objects.values("child_id")
        .annotate(last=Max("visited_on"))
        .values_list("child_id", "last")
    )
    assert latest == dict(VisitSummary.objects.values_list("child_id", "last_visit"))


def test_activities_span_a_year_with_the_children_who_came(seeded):
    today = seeded
    span = Activity.objects.aggregate(first=Min("held_on"), last=Max("held_on"))
    assert span["first"] <= today - dt.timedelta(days=350) and span["last"] <= today
    through = Activity.children.through.objects
    assert through.count() > Activity.objects.count() * 5
    assert not Activity.objects.filter(children__isnull=True).exists()
    activity = Activity.objects.first()
    assert set(activity.children.values_list("area_id", flat=True)) == {activity.home.area_id}
    assert (
        AuditEntry.objects.filter(action="care.activity.created").count()
        == Activity.objects.count()
    )
    # some homes miss weeks
    weeks = [
        len({d.isocalendar()[:2] for d in home.activities.values_list("held_on", flat=True)})
        for home in {a.home for a in Activity.objects.select_related("home")}
    ]
    assert min(weeks) < 45


def test_changes_in_childrens_situations_were_recorded_through_the_registry(seeded):
    events = ChangeEvent.objects.all()
    assert events.count() >= 6
    assert len(set(events.values_list("kind", flat=True))) >= 2
    for event in events:
        assert event.child.changes.filter(kind=ChildChange.Kind.UPDATED).exists()
        assert AuditEntry.objects.filter(
            action="concerns.change.recorded", object_id=str(event.pk)
        ).exists()


def test_relief_measures_are_in_every_state_with_their_history_and_audit(seeded):
    states = set(ReliefMeasure.objects.values_list("status", flat=True))
    assert states == set(ReliefMeasure.Status.values)
    created = AuditEntry.objects.filter(action="relief.measure.created")
    assert created.count() == ReliefMeasure.objects.count()
    updated = AuditEntry.objects.filter(action="relief.measure.updated")
    assert updated.count() == MeasureChange.objects.count() > 0
    ended = ReliefMeasure.objects.filter(status="ended").first()
    assert [c.changes["status"] for c in ended.changes.order_by("at")] == [
        ["applied", "approved"],
        ["approved", "active"],
        ["active", "ended"],
    ]


def test_every_closed_child_has_its_close_history_and_audit_entry(seeded):
    closed = Child.objects.filter(status="closed")
    assert closed.count() >= 6
    for child in closed:
        entry = child.changes.get(kind=ChildChange.Kind.CLOSED)
        assert entry.changes["status"] == ["active", "closed"]
        assert entry.changes["closed_reason"][1] == child.closed_reason
        assert AuditEntry.objects.filter(
            action="children.child.closed", object_id=str(child.pk)
        ).exists()


def test_no_child_closed_because_a_parent_returned_has_a_parent_still_away(seeded):
    returned = Child.objects.filter(closed_reason=CloseReason.PARENT_RETURNED)
    assert returned.exists()
    for child in returned:
        assert not child.parents.filter(status=ParentStatus.MIGRANT).exists()
        assert not child.is_left_behind
        assert child.change_events.filter(kind="parent_returned").exists()
    # the other reasons are stated, and nobody is closed as "a parent returned" by default
    assert set(Child.objects.filter(status="closed").values_list("closed_reason", flat=True)) - {
        CloseReason.PARENT_RETURNED
    }


def test_concerns_are_in_every_state_made_through_the_concern_services(seeded):
    from children.models import Concern, ConcernEvent
    from children.policy.concerns import State

    states = set(Concern.objects.values_list("state", flat=True))
    assert {
        State.OPEN,
        State.ACTION_TAKEN,
        State.AWAITING,
        State.RESOLVED,
        State.REFERRED,
    } <= states
    # every concern has its events and audit entries (made by the services, not inserted)
    for concern in Concern.objects.all():
        assert ConcernEvent.objects.filter(concern=concern).exists()
    opened = AuditEntry.objects.filter(action="children.concern.opened").count()
    assert opened == Concern.objects.count()
    # a resolved concern whose child has nothing else left returned the child to ordinary,
    # with the outcome in the history
    resolved = Concern.objects.filter(state=State.RESOLVED)
    notes = {
        c.pk: list(ChildChange.objects.filter(child=c.child).values_list("note", flat=True))
        for c in resolved
    }
    assert all(any(c.outcome in note for note in notes[c.pk]) for c in resolved), notes


def test_registrations_are_spread_over_three_years_with_a_few_this_quarter(seeded):
    today = seeded
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = timezone.make_aware(dt.datetime.combine(quarter, dt.time()))
    children = Child.objects.all()
    this_quarter = children.filter(created_at__gte=start).count()
    assert 0 < this_quarter < children.count() * 0.2
    assert children.filter(created_at__lt=start - dt.timedelta(days=2 * 365)).exists()
    # nobody is visited before being registered
    early = Visit.objects.filter(visited_on__lt=timezone.localtime(start).date()).select_related(
        "child"
    )
    for visit in early[:500]:
        assert visit.visited_on >= timezone.localtime(visit.child.created_at).date()


def test_every_eligibility_check_and_a_measure_paid_after_leaving_have_lines(seeded):
    from applications import eligibility
    from areas.models import Area

    county = Area.objects.get(level="county")
    for rule in eligibility.RULES:
        assert eligibility.unmet(rule, county.prefix, seeded).exists(), rule.key
    paid = list(eligibility.paid_after_leaving(county.prefix, seeded))
    assert paid and all(m.child.closed_reason == CloseReason.MOVED_AWAY for m in paid)


def test_referrals_in_every_state_in_several_villages_made_through_the_services(seeded):
    """Issue 16, point 8: referrals answered, open and not yet due, overdue and escalated,
    one withdrawn; in the demo director's village and others; some from reports or
    concerns; each made and moved on with its audit entries."""
    from referrals.models import Referral
    from referrals.policy import State

    today = seeded
    referrals = Referral.objects.select_related("area")
    answered = referrals.filter(state=State.ANSWERED)
    assert answered.exists()
    assert all(r.answer and r.made_on <= r.answered_on <= today for r in answered)
    assert referrals.filter(state=State.OPEN, due_on__gte=today).exists()
    overdue = referrals.overdue(today)
    assert overdue.exists()
    # the daily escalation sent each overdue one to the township the day after it was due
    assert all(r.escalated_township_on == r.due_on + dt.timedelta(days=1) for r in overdue)
    assert overdue.filter(escalated_county_on__isnull=False).exists()
    assert referrals.filter(state=State.WITHDRAWN).count() == 1
    director = User.objects.get(username="director")
    mine = Referral.objects.visible_to(director)
    assert {State.OPEN, State.ANSWERED} <= set(mine.values_list("state", flat=True))
    assert mine.overdue(today).exists()
    assert referrals.values("area").distinct().count() >= 4
    assert referrals.values("area__parent").distinct().count() >= 2
    assert referrals.filter(Q(report__isnull=False) | Q(concern__isnull=False)).exists()
    made = AuditEntry.objects.filter(action="referrals.referral.made")
    assert made.count() == referrals.count()
    assert AuditEntry.objects.filter(action="referrals.referral.answered").count() == (
        answered.count()
    )
    escalations = referrals.filter(escalated_township_on__isnull=False).count()
    escalations += referrals.filter(escalated_county_on__isnull=False).count()
    assert AuditEntry.objects.filter(action="referrals.referral.escalated").count() == escalations


def test_relief_history_keeps_the_duties_apart(seeded):
    """A village director may not put a measure in effect (relief.policy): in the demo's
    history every step into "in effect" is recorded by the township's officers (revision and
    audit entry alike), while the measures stay created by the village's director."""
    from relief.policy import CONFIRMING_ROLES

    into_effect = [
        c
        for c in MeasureChange.objects.select_related("actor", "measure__child__area")
        if "status" in c.changes
        and c.changes["status"][1] == "active"
        and c.changes["status"][0] != "active"
    ]
    assert into_effect
    assert all(c.actor.role in CONFIRMING_ROLES for c in into_effect)
    # the township's own officer: the child's village is in the actor's township
    assert all(c.measure.child.area.code.startswith(c.actor.area.code[:9]) for c in into_effect)
    created_by = {
        m.created_by.role
        for m in ReliefMeasure.objects.select_related("created_by")[:200]
        if m.created_by
    }
    assert "director" in created_by  # (an approved application's measure: the county's)
    audited = AuditEntry.objects.filter(
        action="relief.measure.updated", data__changes__status__1="active"
    )
    assert audited.exists()
    roles = set(
        User.objects.filter(pk__in=audited.values("actor_id")).values_list("role", flat=True)
    )
    assert roles <= CONFIRMING_ROLES
