"""Changes in children's situations since the last approved quarter, and the records
closed this quarter, made through the registry's own services so that every one has its
history entry (ChildChange) and audit entry:

- `concerns.changes.record_change`: a parent leaves to work away or comes home, the
  caregiver falls ill, a child drops out of school, an urgent finding. The registry
  classifies the child again with the change as the reason and the village's director and
  the township's supervisor are told.
- `children.services.close_child`, with a reason that agrees with the record: a
  left-behind child is closed because a parent returned only after the return was recorded
  (every parent who was away now at home, so the child is no longer left behind); other
  children closed this quarter moved away with their parents or for another stated reason.

About 0.7 % of the county's children (some 180 at county scale): a few seconds through the
services, so there is no bulk path here.
"""

import datetime as dt
import random

from django.utils import timezone

from children.choices import CloseReason, ParentStatus, Schooling
from children.models import Child
from children.services import close_child, snapshot_rows
from concerns.changes import record_change
from concerns.models import ChangeKind
from people.models import User
from people.roles import Role

# Share of active children whose record closes this quarter. Each closure goes through
# the services (about 25 ms), so 0.4 % (some 100 at county scale) keeps the seed fast.
EXITED_THIS_QUARTER = 0.004
CHANGED_THIS_QUARTER = 0.003  # share with a change in their situation that leaves them open
MIN_EXITS, MIN_CHANGES = 6, 6
PARENT_NAMES = {"father": "父亲", "mother": "母亲"}
MOVED_AWAY_NOTES = ["随父母到务工地就读", "随母亲迁往江苏居住", "全家迁往合肥"]
OTHER_NOTES = ["经核实户籍已迁出本县", "被外县亲属收养"]
RETURN_DETAILS = ["返乡就业，在县城工业园上班", "回乡照顾孩子，不再外出", "在本镇开店"]
LEFT_DETAILS = ["到浙江务工", "随工程队外出务工"]
URGENT_DETAILS = ["孩子独自在家多日，无人照料", "邻居反映孩子身上有伤痕"]


def _actors():
    """Who records a village's changes: its director, or the township's staff."""
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
    staff = {u.area_id: u for u in User.objects.filter(role=Role.TOWNSHIP_STAFF)}

    def actor(child):
        return directors.get(child.area_id) or staff.get(child.area.parent_id)

    return actor


def _day(rng, since: dt.date, today: dt.date) -> dt.date:
    return since + dt.timedelta(days=rng.randint(0, max(0, (today - since).days)))


def _away(child) -> list[str]:
    """The roles of the child's parents who are away as migrant workers."""
    return [p.role for p in child.parents.all() if p.status == ParentStatus.MIGRANT]


def _close(rng, actor, child, on, counts) -> None:
    """Close one record with a reason that agrees with it (see the module's docstring)."""
    away = _away(child)
    if child.is_left_behind and not child.in_difficulty and away and rng.random() < 0.55:
        for role in away:  # every parent away comes home: the child is no longer left behind
            record_change(
                actor,
                child,
                ChangeKind.PARENT_RETURNED,
                {"parent": role, "on": on, "detail": rng.choice(RETURN_DETAILS)},
            )
            counts["change_events"] += 1
        child.refresh_from_db()
        if not child.is_left_behind and not child.in_difficulty:
            names = "、".join(PARENT_NAMES[r] for r in away)
            close_child(actor, child, CloseReason.PARENT_RETURNED, on, f"{names}已返乡照顾")
            counts["closed_parent_returned"] += 1
            return
    if rng.random() < 0.8:
        close_child(actor, child, CloseReason.MOVED_AWAY, on, rng.choice(MOVED_AWAY_NOTES))
        counts["closed_moved_away"] += 1
    else:
        close_child(actor, child, CloseReason.OTHER, on, rng.choice(OTHER_NOTES))
        counts["closed_other"] += 1


def _change(rng, actor, child, on, counts) -> None:
    """One change in the child's situation that leaves the record open."""
    roles = {p.role: p.status for p in child.parents.all()}
    at_home = [r for r, s in roles.items() if s == ParentStatus.AT_HOME]
    caregiver = getattr(child, "caregiver", None)
    age = (on - child.birth_date).days // 365
    choices = [ChangeKind.URGENT_FINDING]
    if at_home:
        choices.append(ChangeKind.PARENT_LEFT)
    if caregiver is not None and caregiver.health == "healthy":
        choices += [ChangeKind.CAREGIVER_CAPACITY] * 3
    if age >= 12 and child.schooling not in (Schooling.DROPPED_OUT, ""):
        choices.append(ChangeKind.DROPPED_OUT)
    kind = rng.choice(choices)
    data = {"on": on}
    if kind == ChangeKind.PARENT_LEFT:
        data |= {"parent": rng.choice(at_home), "detail": rng.choice(LEFT_DETAILS)}
    elif kind == ChangeKind.CAREGIVER_CAPACITY:
        data |= {"health": rng.choice(["ill", "frail"]), "detail": "祖母中风住院，无法照料"}
    elif kind == ChangeKind.DROPPED_OUT:
        data |= {"detail": "初中辍学在家"}
    else:
        data |= {"detail": rng.choice(URGENT_DETAILS)}
    record_change(actor, child, kind, data)
    counts["change_events"] += 1


def seed_registry_events(rng: random.Random, since: dt.date, today: dt.date | None = None):
    """Changes and closures dated from `since` (the quarter's first day) to today. Returns
    (counts, the snapshot rows of the children changed or closed, as they were before)."""
    today = today or timezone.localdate()
    actor_of = _actors()
    chosen = {}
    active = list(Child.objects.active().order_by("pk").values_list("pk", flat=True))
    for pk in active:
        roll = rng.random()
        if roll < EXITED_THIS_QUARTER + CHANGED_THIS_QUARTER:
            chosen[pk] = roll < EXITED_THIS_QUARTER
    # A small county still shows a few of each (the small scale has some 150 children).
    for exits, wanted in ((True, MIN_EXITS), (False, MIN_CHANGES)):
        short = wanted - sum(1 for v in chosen.values() if v == exits)
        free = [pk for pk in active if pk not in chosen]
        for pk in rng.sample(free, k=max(0, min(short, len(free)))):
            chosen[pk] = exits
    earlier = snapshot_rows(Child.objects.filter(pk__in=list(chosen)))
    counts = {
        "change_events": 0,
        "closed_parent_returned": 0,
        "closed_moved_away": 0,
        "closed_other": 0,
    }
    children = (
        Child.objects.filter(pk__in=list(chosen))
        .select_related("area", "caregiver")
        .prefetch_related("parents")
        .order_by("pk")
    )
    for child in children:
        actor = actor_of(child)
        if actor is None:
            earlier.pop(child.pk, None)
            continue
        on = _day(rng, since, today)
        if chosen[child.pk]:
            _close(rng, actor, child, on, counts)
        else:
            _change(rng, actor, child, on, counts)
    return counts, earlier
