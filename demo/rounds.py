"""Generated quarterly rounds for the demo county: the two quarters before this one approved
and closed, and this quarter's round open with returns in every state.

Bulk-created (the county demo has ~400 villages and ~25,000 children): the snapshots are the
registry's own snapshot rows, with a few facts altered in the older quarters so that the
township's review has changes, new and exited children to show. The children closed or
changed this quarter were closed and changed before, through the registry's services
(demo/registry.py); the older quarters' rosters hold them as they were before.
"""

import copy
import datetime as dt
import json
import random
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from areas.models import Area
from children.models import Child
from people.models import User
from people.roles import Role
from rounds import figures
from rounds.models import (
    ChildCheck,
    ChildSnapshot,
    ReturnEvent,
    ReturnState,
    Round,
    TownshipSummary,
    VillageReturn,
    VillageSnapshot,
)
from rounds.services import child_rows, quarter_of, rebuild_round_sums

NEW_EACH_QUARTER = 0.02  # share of children first registered in the following quarter
CHANGED_EACH_QUARTER = 0.03  # share whose recorded facts changed since the quarter before
SCHOOLS = ["城关一小", "城关二小", "镇中心小学", "镇初级中学", "县实验中学"]

# This quarter's returns, by share of villages (the demo logins' villages are set apart).
OPEN_STATES = [
    (ReturnState.APPROVED, 0.30),
    (ReturnState.SUBMITTED, 0.20),
    (ReturnState.RETURNED, 0.05),
    (ReturnState.IN_PROGRESS, 0.25),
    (ReturnState.NOT_STARTED, 0.20),
]


def _insert(model, fields, rows, batch=5000):
    """Insert plain tuples with executemany: tens of thousands of snapshot rows in a second
    or two, where bulk_create spends most of its time preparing each value."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def _checks(rows, at):
    """ChildCheck rows (return id, child id, outcome, checker id) inserted in bulk."""
    when = connection.ops.adapt_datetimefield_value(at)
    _insert(
        ChildCheck,
        ["village_return", "child", "outcome", "checked_by", "checked_at", "note"],
        [(ret, child, outcome, by, when, "") for ret, child, outcome, by in rows],
    )


def _previous(year: int, quarter: int, back: int) -> tuple[int, int]:
    index = year * 4 + quarter - 1 - back
    return index // 4, index % 4 + 1


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _older(row: dict, rng: random.Random) -> dict:
    """The same child a quarter earlier: one recorded fact different."""
    earlier = copy.deepcopy(row)
    choice = rng.randrange(3)
    if choice == 0:
        earlier["school"] = rng.choice(SCHOOLS)
    elif choice == 1 and earlier.get("caregiver.phone"):
        earlier["caregiver.phone"] = "139" + str(rng.randrange(10**8)).zfill(8)
    else:
        earlier["father.work_city"] = rng.choice(["杭州", "苏州", "上海", "合肥", "宁波"])
    return earlier


def seed_rounds(
    rng: random.Random, earlier: dict | None = None, today: dt.date | None = None
) -> dict:
    """Create the three rounds; returns counts. Needs the villages, accounts and children.

    `earlier` holds the snapshot rows, taken before this quarter's changes and closures, of
    the children changed or closed since: the older quarters' rosters show them as they
    were, so the township's review shows what changed and who exited."""
    today = today or timezone.localdate()
    earlier = earlier or {}
    county = Area.objects.get(code="341623000000")
    villages = list(Area.objects.within("341623").villages().order_by("code"))
    townships = {v.parent_id for v in villages}
    officer = User.objects.filter(role=Role.COUNTY_OFFICER, area=county).order_by("pk").first()
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
    supervisors = {u.area_id: u for u in User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR)}

    live = child_rows(Child.objects.active())
    # Children closed this quarter are on the older rosters (as they were), not on this one.
    exits = {pk for pk in earlier if pk not in live}
    rows = {**live, **{pk: earlier[pk] for pk in exits}}
    area_of = dict(Child.objects.filter(pk__in=list(rows)).values_list("pk", "area_id"))
    by_village = defaultdict(list)
    for pk in sorted(rows):
        by_village[area_of[pk]].append(pk)

    year, quarter = quarter_of(today)
    current = Round(county=county, year=year, quarter=quarter)
    # Children new in a quarter were not on the rosters of the quarters before it.
    new_in = {}
    for back in (0, 1):
        for pk in rows:
            if pk not in new_in and rng.random() < NEW_EACH_QUARTER:
                new_in[pk] = back
    counts = defaultdict(int)
    snapshot_rows = {}  # (back) -> {pk: data}
    for back in (1, 2):
        older = {}
        ended = Round(
            county=county,
            year=_previous(year, quarter, back)[0],
            quarter=_previous(year, quarter, back)[1],
        ).period_end.isoformat()
        for pk, data in rows.items():
            if new_in.get(pk, 99) < back or data.get("birth_date", "") > ended:
                continue  # registered (or born) after this quarter
            data = earlier.get(pk, data)  # before this quarter's recorded changes
            changed = rng.random() < CHANGED_EACH_QUARTER * back
            older[pk] = _older(data, rng) if changed else data
        snapshot_rows[back] = older

    for back in (2, 1):
        y, q = _previous(year, quarter, back)
        the_round = Round(county=county, year=y, quarter=q)
        opened = the_round.period_end + dt.timedelta(days=1)
        the_round = Round.objects.create(
            county=county,
            year=y,
            quarter=q,
            due_on=opened + dt.timedelta(days=20),
            state=Round.State.CLOSED,
            opened_by=officer,
            closed_by=officer,
            closed_at=_moment(opened + dt.timedelta(days=28)),
        )
        Round.objects.filter(pk=the_round.pk).update(opened_at=_moment(opened, 9))
        _approved_round(
            the_round,
            villages,
            by_village,
            snapshot_rows[back],
            snapshot_rows.get(back + 1),
            directors,
            supervisors,
            opened,
            counts,
        )
        summaries = []
        for township_id in townships:
            village_figures = VillageSnapshot.objects.filter(
                round=the_round, area__parent_id=township_id
            ).values_list("figures", flat=True)
            summaries.append(
                TownshipSummary(
                    round=the_round,
                    area_id=township_id,
                    submitted_by=supervisors.get(township_id),
                    figures=figures.add(village_figures),
                )
            )
        TownshipSummary.objects.bulk_create(summaries)
        counts["rounds"] += 1

    opened = current.period_start + dt.timedelta(days=7)
    open_round = Round.objects.create(
        county=county,
        year=year,
        quarter=quarter,
        due_on=current.period_end + dt.timedelta(days=15),
        opened_by=officer,
    )
    Round.objects.filter(pk=open_round.pk).update(opened_at=_moment(opened, 9))
    open_round.refresh_from_db()
    _open_round(
        rng,
        open_round,
        villages,
        by_village,
        live,
        snapshot_rows[1],
        directors,
        supervisors,
        today,
        counts,
    )
    counts["rounds"] += 1
    # The snapshots were inserted in bulk: the townships' and county's sums are made once.
    counts["round_sums"] = rebuild_round_sums()
    return dict(counts)


def _approved_round(
    the_round, villages, by_village, current, before, directors, supervisors, opened, counts
):
    """Every village submitted and approved, with its snapshot frozen."""
    submitted = _moment(opened + dt.timedelta(days=10))
    approved = _moment(opened + dt.timedelta(days=14))
    returns = VillageReturn.objects.bulk_create(
        VillageReturn(
            round=the_round,
            area=village,
            state=ReturnState.APPROVED,
            submitted_at=submitted,
            submitted_by=directors.get(village.pk),
            reviewed_at=approved,
            reviewed_by=supervisors.get(village.parent_id),
        )
        for village in villages
    )
    _freeze_all(the_round, returns, by_village, current, before, directors, approved, counts)
    events = []
    for ret in returns:
        events.append(
            ReturnEvent(
                village_return=ret,
                action=ReturnEvent.Action.SUBMITTED,
                actor=directors.get(ret.area_id),
            )
        )
        events.append(
            ReturnEvent(
                village_return=ret,
                action=ReturnEvent.Action.APPROVED,
                actor=supervisors.get(ret.area.parent_id),
            )
        )
    ReturnEvent.objects.bulk_create(events, batch_size=2000)
    ReturnEvent.objects.filter(village_return__round=the_round, action="submitted").update(
        at=submitted
    )
    ReturnEvent.objects.filter(village_return__round=the_round, action="approved").update(
        at=approved
    )


def _freeze_all(the_round, returns, by_village, current, before, directors, at, counts):
    """Snapshots and checks of approved returns (bulk)."""
    snapshots, checks = [], []
    for ret in returns:
        ids = [pk for pk in by_village.get(ret.area_id, []) if pk in current]
        before_ids = (
            {pk for pk in by_village.get(ret.area_id, []) if pk in before} if before else None
        )
        new = len([pk for pk in ids if pk not in before_ids]) if before_ids is not None else 0
        exited = len(before_ids - set(ids)) if before_ids is not None else 0
        snapshots.append(
            VillageSnapshot(
                round=the_round,
                area_id=ret.area_id,
                approved_at=at,
                figures=figures.count(
                    [current[pk] for pk in ids], the_round.period_end, new=new, exited=exited
                ),
            )
        )
        director = directors.get(ret.area_id)
        checks += [(ret.pk, pk, "unchanged", director.pk if director else None) for pk in ids]
    snapshots = VillageSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    children = []
    for snap in snapshots:
        children += [
            (snap.pk, pk, json.dumps(current[pk], ensure_ascii=False))
            for pk in by_village.get(snap.area_id, [])
            if pk in current
        ]
    _insert(ChildSnapshot, ["snapshot", "child", "data"], children)
    _checks(checks, at)
    counts["snapshots"] += len(snapshots)
    counts["child_snapshots"] += len(children)


def _open_round(
    rng, the_round, villages, by_village, rows, before, directors, supervisors, today, counts
):
    """This quarter: returns in every state; the demo logins' villages in useful ones."""
    seat = [v for v in villages if v.parent.code == "341623100000"]
    fixed = {}
    if seat:
        fixed[seat[0].pk] = ReturnState.IN_PROGRESS  # `director` has a walk to finish
        for village, state in zip(
            seat[1:],
            [ReturnState.SUBMITTED, ReturnState.SUBMITTED, ReturnState.RETURNED],
            strict=False,
        ):
            fixed[village.pk] = state  # `township` has returns to review
    director2 = User.objects.filter(username="director2").first()
    if director2 is not None:
        fixed[director2.area_id] = ReturnState.NOT_STARTED
    states, weights = zip(*OPEN_STATES, strict=True)
    submitted_at = _moment(min(today, the_round.period_start + dt.timedelta(days=40)))
    returns = []
    for village in villages:
        state = fixed.get(village.pk) or rng.choices(states, weights)[0]
        done = state not in (ReturnState.NOT_STARTED, ReturnState.IN_PROGRESS)
        returns.append(
            VillageReturn(
                round=the_round,
                area=village,
                state=state,
                submitted_at=submitted_at if done else None,
                submitted_by=directors.get(village.pk) if done else None,
                reviewed_at=submitted_at
                if state in (ReturnState.APPROVED, ReturnState.RETURNED)
                else None,
                reviewed_by=supervisors.get(village.parent_id)
                if state in (ReturnState.APPROVED, ReturnState.RETURNED)
                else None,
                review_comment="请核实留守儿童的监护人联系电话，补充帮扶联系人后再报。"
                if state == ReturnState.RETURNED
                else "",
            )
        )
        counts[f"returns_{state}"] += 1
    returns = VillageReturn.objects.bulk_create(returns)
    approved = [r for r in returns if r.state == ReturnState.APPROVED]
    _freeze_all(the_round, approved, by_village, rows, before, directors, submitted_at, counts)
    checks, events = [], []
    for ret in returns:
        ids = [pk for pk in by_village.get(ret.area_id, []) if pk in rows]
        director = directors.get(ret.area_id)
        by = director.pk if director else None
        if ret.state != ReturnState.NOT_STARTED:
            closed = [pk for pk in by_village.get(ret.area_id, []) if pk not in rows]
            checks += [(ret.pk, pk, "closed", by) for pk in closed]
        if ret.state in (ReturnState.SUBMITTED, ReturnState.RETURNED):
            checks += [(ret.pk, pk, "unchanged", by) for pk in ids]
        elif ret.state == ReturnState.IN_PROGRESS:
            share = rng.uniform(0.3, 0.7)
            checks += [(ret.pk, pk, "unchanged", by) for pk in ids[: int(len(ids) * share)]]
        if ret.state != ReturnState.NOT_STARTED and ret.state != ReturnState.IN_PROGRESS:
            events.append(ReturnEvent(village_return=ret, action="submitted", actor=director))
        if ret.state in (ReturnState.APPROVED, ReturnState.RETURNED):
            events.append(
                ReturnEvent(
                    village_return=ret,
                    action=ret.state if ret.state == "approved" else "returned",
                    actor=ret.reviewed_by,
                    comment=ret.review_comment,
                )
            )
    _checks(checks, submitted_at)
    ReturnEvent.objects.bulk_create(events, batch_size=2000)
    counts["open_round_checks"] = len(checks)
