"""Generated care work for the demo county: three years of home visits at the visit
policy's rhythm with realistic findings, and a year of weekly activities with the children
who came — with the work directors leave undone, so that worklists, compliance pages and
the gap report have something to show.

Two paths write visits, and both write what `care.services.record_visit` writes:

- Visits of the last RECENT_DAYS that found a concern or something urgent go through
  `record_visit` itself, so their findings act as in the product: the registry opens a
  concern (the child's care level is computed again with it as the reason), the follow-up
  is brought forward, an urgent safety finding flags the child to be reported at once and
  the village's director and the township's supervisor are told. A `seed_concerns` step
  (concern records, on another branch) goes right after `seed_visits` and finds these.
- Every other visit is written in bulk by `bulk_record_visits`: the same visit row (the
  follow-up date as the service sets it), the same `care.visit.created` audit entry and
  the same summary row, dated the day of the visit. Findings older than RECENT_DAYS are on
  their visits (notes, follow-up date, audit entry) but do not open a concern now: those
  concerns were followed up long ago (demo/tests compares both paths on a sample).

Activities are written in bulk with their attendance and the `care.activity.created` audit
entry `record_activity` writes.
"""

import datetime as dt
import json
import random
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from areas.models import Area
from care import policy
from care.models import Activity, Assessment, Visit, VisitSummary
from care.services import record_visit
from children.choices import CareLevel
from children.models import Child
from core.auditchain import seal_rows
from core.models import AuditEntry
from people.models import User
from people.roles import Role

from .bulk import Json, indexes_deferred, insert, next_id

YEARS = 3  # visits go back to the same date three years ago
RECENT_DAYS = 7  # findings this recent go through record_visit and open concerns
MIN_ACTED_ON = 3  # at least this many such visits (the small scale has few visits)
SPECIAL_MONTHS_VISITED = 0.9  # share of calendar months a special-attention child is visited
ORDINARY_YEARS_VISITED = 0.93  # share of yearly visits an ordinary child gets
LAGGING_VILLAGES = 0.08  # villages whose director has fallen behind (plus the `director`'s)
LAG_DAYS = (40, 80)  # how long ago the lagging director last visited most children
LAGGING_CHILDREN = 0.4  # share of a lagging village's ordinary children a year overdue
CONCERN_RATE = 0.08  # share of visits with at least one concern (x1.5 for special attention)
URGENT_RATE = 0.004  # share of visits with an urgent finding
WEAK_HOMES = 0.12  # children's homes that miss many weeks
IDLE_HOMES = 0.02  # homes with no activity in the last five weeks (gap report lines)
WEEKS = 52
NO_REFERRALS = Json("[]")

# Notes a director writes, by aspect (data, in Chinese as the directors write them).
CONCERN_NOTES = {
    "living": ["房屋漏雨", "冬季取暖不足", "家中卫生较差", "饮食单一，营养不足"],
    "safety": ["家门口临近水塘，无护栏", "电线老化裸露", "放学后常独自在家"],
    "health": ["经常感冒咳嗽", "视力下降，未配眼镜", "龋齿未治疗"],
    "study": ["作业无人辅导", "成绩明显下滑", "经常迟到旷课"],
    "psychological": ["情绪低落", "想念父母，常哭闹", "不愿与人交流"],
    "guardianship": ["祖母腿脚不便", "祖父年老体弱，照料吃力", "监护人常外出打零工"],
}
URGENT_NOTES = {
    "safety": ["独自在家多日", "身上有伤痕，孩子不愿说明原因"],
    "guardianship": ["监护人住院，无人照料", "监护人长期酗酒，无法照料"],
    "health": ["高烧多日未就医"],
    "psychological": ["流露轻生念头"],
}
ACTIONS = [
    "已电话联系其父母，说明情况",
    "已告知村委会，安排村干部每周看望",
    "已联系学校班主任共同关注",
    "已协助申请临时救助",
    "已转介县阳光社会工作服务中心",
]
URGENT_ACTIONS = "已当即报告乡镇儿童督导员，并联系派出所和其父母"
ACTIVITY_NOTES = {
    "policy": "宣传未成年人保护法和强制报告制度",
    "safety": "防溺水、防触电安全教育",
    "study": "作业辅导和课外阅读",
    "arts": "手工、绘画和剪纸",
    "psychological": "团体心理辅导游戏",
    "festival": "节日联欢，为孩子们过集体生日",
    "other": "观看爱国主义教育影片",
}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _findings(rng: random.Random, special: bool, roll: float | None = None) -> dict:
    """The six assessments of one visit: most fine, some concerns, a few urgent."""
    data = {}
    roll = rng.random() if roll is None else roll
    concern_rate = CONCERN_RATE * (1.5 if special else 1)
    if roll < URGENT_RATE:
        aspect = rng.choice(sorted(URGENT_NOTES))
        data[aspect] = Assessment.URGENT
        data[f"{aspect}_note"] = rng.choice(URGENT_NOTES[aspect])
        data["actions"] = URGENT_ACTIONS
        data["referrals"] = ["township", "police"] if aspect == "safety" else ["township"]
    elif roll < URGENT_RATE + concern_rate:
        for aspect in rng.sample(sorted(CONCERN_NOTES), k=rng.choice((1, 1, 1, 2))):
            data[aspect] = Assessment.CONCERN
            data[f"{aspect}_note"] = rng.choice(CONCERN_NOTES[aspect])
        data["actions"] = rng.choice(ACTIONS)
    if data:
        data["problems"] = "；".join(v for k, v in data.items() if k.endswith("_note"))
    return data


def _mode(rng, special):
    roll = rng.random()
    mode = (
        "home"
        if roll < 0.75
        else "call"
        if roll < 0.87
        else "school"
        if roll < 0.95
        else "childrens_home"
    )
    return {
        "mode": mode,
        "met_child": True,
        "met_caregiver": mode == "home",
        "met_parents": mode == "call" or rng.random() < (0.3 if special else 0.15),
    }


def visit_days(rng, level, start: dt.date, today: dt.date, stop: dt.date | None) -> list:
    """The days a child of `level` was visited from `start` to `today`: one visit in most
    calendar months (special attention) or about once a year (ordinary). No visit after
    `stop` (a director who fell behind)."""
    last = min(today, stop) if stop else today
    days = []
    if level == CareLevel.SPECIAL:
        month = start.replace(day=1)
        while month <= last:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            first, final = max(month, start), min(following - dt.timedelta(days=1), last)
            share = SPECIAL_MONTHS_VISITED
            if following > today:  # this month: visited only if the day came already
                share *= (today.day - 1) / 30
            if first <= final and rng.random() < share:
                days.append(first + dt.timedelta(days=rng.randint(0, (final - first).days)))
            month = following
    else:
        day = start + dt.timedelta(days=rng.randint(0, 330))
        while day <= last:
            if rng.random() < ORDINARY_YEARS_VISITED:
                days.append(day)
            day += dt.timedelta(days=rng.randint(335, 375))
    return days


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def bulk_record_visits(plans: list[tuple]) -> int:
    """Write visits as `record_visit` writes the visit itself, in bulk: the visit (with the
    follow-up date a finding brings forward), its `care.visit.created` audit entry and the
    children's summaries, each dated the day of the visit. `plans` holds
    (child, visitor, data) with `child` having pk, name, area_id and area_code.

    It does not act on findings (no concern opened, nobody told): give visits whose
    findings must act to `record_visit`."""
    if not plans:
        return 0
    first = next_id(Visit)
    audit_first = next_id(AuditEntry)
    visit_rows, audit_rows, latest = [], [], {}
    columns = ["id", "child_id", "area_id", "visitor_id", "visited_on", "mode", "met_child"]
    columns += ["met_caregiver", "met_parents"]
    aspects = [f for aspect in Visit.ASPECTS for f in (aspect, f"{aspect}_note")]
    columns += aspects + ["problems", "actions", "referrals", "follow_up_on"]
    columns += ["created_at", "updated_at", "made_at"]  # recorded online: made as it arrived
    all_fine = tuple("fine" if "_" not in f else "" for f in aspects)
    moments, dates = {}, {}
    # In date order, as they were recorded (ids and audit times then grow together).
    plans = sorted(plans, key=lambda plan: plan[2]["visited_on"])
    for offset, (child, visitor, data) in enumerate(plans):
        pk = first + offset
        day = data["visited_on"]
        findings = [
            [aspect, str(data[aspect])]
            for aspect in Visit.ASPECTS
            if data.get(aspect, "fine") != "fine"
        ]
        follow_up = data.get("follow_up_on")
        if findings:
            worst = max((level for _a, level in findings), key=_severity)
            due = day + dt.timedelta(days=policy.FOLLOW_UP_DAYS[worst])
            follow_up = due if not follow_up or follow_up > due else follow_up
            assessed = tuple(data.get(f, "fine" if "_" not in f else "") for f in aspects)
        else:
            assessed = all_fine
        if day not in moments:
            moments[day], dates[day] = _moment(day, 17), day.isoformat()
        at = moments[day]
        visit_rows.append(
            (
                pk,
                child.pk,
                child.area_id,
                visitor.pk,
                day,
                data.get("mode", Visit.Mode.HOME),
                data.get("met_child", True),
                data.get("met_caregiver", False),
                data.get("met_parents", False),
                *assessed,
                data.get("problems", ""),
                data.get("actions", ""),
                Json(json.dumps(data["referrals"])) if data.get("referrals") else NO_REFERRALS,
                follow_up,
                at,
                at,
                at,
            )
        )
        audit_rows.append(
            (
                audit_first + offset,
                at,
                visitor.pk,
                visitor.username,
                "care.visit.created",
                "care.visit",
                str(pk),
                f"{child.name} {dates[day]}"[:200],
                child.area_code,
                # Canonical JSON (sorted keys): the audit chain hashes this text as it is.
                Json(json.dumps({"child": child.pk, "findings": findings}, sort_keys=True))
                if findings
                else Json(f'{{"child": {child.pk}, "findings": []}}'),
            )
        )
        if child.pk not in latest or (day, pk) >= latest[child.pk][:2]:
            latest[child.pk] = (day, pk, follow_up)
    with indexes_deferred(Visit, AuditEntry):
        insert(Visit, columns, visit_rows)
        insert(
            AuditEntry,
            *seal_rows(
                ["id", "at", "actor_id", "actor_username", "action", "object_type", "object_id"]
                + ["object_repr", "area_code", "data"],
                audit_rows,
            ),
        )
    _merge_summaries(latest)
    return len(visit_rows)


def _severity(level: str) -> int:
    return {Assessment.FINE: 0, Assessment.CONCERN: 1, Assessment.URGENT: 2}[level]


def _merge_summaries(latest: dict) -> None:
    """Keep each child's summary on its latest visit (as refresh_summaries would)."""
    stored = dict(
        VisitSummary.objects.filter(child_id__in=list(latest)).values_list("child_id", "last_visit")
    )
    rows = [
        (pk, day, follow_up)
        for pk, (day, _id, follow_up) in latest.items()
        if pk not in stored or stored[pk] is None or day >= stored[pk]
    ]
    VisitSummary.objects.filter(child_id__in=[r[0] for r in rows]).delete()
    insert(VisitSummary, ["child_id", "last_visit", "follow_up"], rows)


class _Child:
    """The few facts of a child the bulk path needs (no model instance: 25,000 of them)."""

    __slots__ = ("pk", "name", "area_id", "area_code", "level", "born")

    def __init__(self, pk, name, area_id, area_code, level, born):
        self.pk, self.name, self.area_id, self.area_code = pk, name, area_id, area_code
        self.level, self.born = level, born


def _visitors(villages_of_township):
    """Who visits in each village: its director, or the township's staff where the post
    is vacant."""
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
    staff = {u.area_id: u for u in User.objects.filter(role=Role.TOWNSHIP_STAFF)}
    return {
        village: directors.get(village) or staff.get(township)
        for village, township in villages_of_township.items()
    }


def seed_visits(rng: random.Random, today: dt.date | None = None) -> dict:
    """Three years of visits to every active child; returns counts."""
    today = today or timezone.localdate()
    start = _add_years(today, -YEARS)
    # Children closed lately were visited until they were closed.
    rows = Child.objects.filter(Q(status="active") | Q(closed_on__gte=start)).values_list(
        "pk", "name", "area_id", "area__code", "area__parent_id", "care_level", "birth_date"
    )
    closed = dict(Child.objects.filter(status="closed").values_list("pk", "closed_on"))
    # Nobody is visited before being registered.
    registered = {
        pk: timezone.localtime(at).date()
        for pk, at in Child.objects.filter(
            created_at__gt=timezone.make_aware(dt.datetime.combine(start, dt.time()))
        ).values_list("pk", "created_at")
    }
    children, township_of = [], {}
    for pk, name, area_id, code, township, level, born in rows:
        children.append(_Child(pk, name, area_id, code, level, born))
        township_of[area_id] = township
    visitors = _visitors(township_of)
    # The demo logins' villages are among those behind: their worklists show overdue work.
    logins = set(
        User.objects.filter(username__in=["director", "director2"]).values_list(
            "area_id", flat=True
        )
    )
    lagging = {
        area: today - dt.timedelta(days=rng.randint(*LAG_DAYS))
        for area in sorted(township_of)
        if rng.random() < LAGGING_VILLAGES or area in logins
    }
    bulk, through_service = [], []
    for child in children:
        visitor = visitors.get(child.area_id)
        if visitor is None:
            continue
        stop = None
        if child.area_id in lagging:
            # Behind on everyone of special attention; some ordinary children's yearly
            # visit was missed too (their last one is over a year old).
            if child.level == CareLevel.SPECIAL:
                stop = lagging[child.area_id]
            elif rng.random() < LAGGING_CHILDREN:
                stop = _add_years(lagging[child.area_id], -1)
        if child.pk in closed:
            stop = min(stop or today, closed[child.pk])
        special = child.level == CareLevel.SPECIAL
        for day in visit_days(
            rng, child.level, max(start, child.born, registered.get(child.pk, start)), today, stop
        ):
            data = {"visited_on": day, **_mode(rng, special), **_findings(rng, special)}
            recent = (today - day).days < RECENT_DAYS
            if recent and any(data.get(a, "fine") != "fine" for a in Visit.ASPECTS):
                through_service.append((child, visitor, data))
            else:
                bulk.append((child, visitor, data))
    if len(through_service) < MIN_ACTED_ON:  # a small county still shows a few
        latest = sorted(bulk, key=lambda plan: plan[2]["visited_on"])[-MIN_ACTED_ON:]
        for plan in latest:
            bulk.remove(plan)
            plan[2].update(_findings(rng, True, roll=URGENT_RATE))  # a concern
            through_service.append(plan)
    counts = {"visits": bulk_record_visits(bulk)}
    # In date order, as the directors recorded them; record_visit reads model instances.
    through_service.sort(key=lambda plan: plan[2]["visited_on"])
    instances = Child.objects.select_related("area").in_bulk([c.pk for c, *_ in through_service])
    for child, visitor, data in through_service:
        record_visit(visitor, instances[child.pk], data)
    counts["visits"] += len(through_service)
    counts["visits_with_findings_acted_on"] = len(through_service)
    counts["lagging_villages"] = len(lagging)
    return counts


def seed_activities(rng: random.Random, homes, today: dt.date | None = None) -> dict:
    """A year of weekly activities at every children's home, with the children who came, in
    bulk as `record_activity` writes them (activity, attendance, audit entry)."""
    today = today or timezone.localdate()
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
    staff = {u.area_id: u for u in User.objects.filter(role=Role.TOWNSHIP_STAFF)}
    township_of = dict(
        Area.objects.filter(pk__in=[h.area_id for h in homes]).values_list("pk", "parent_id")
    )
    codes = dict(Area.objects.filter(pk__in=township_of.values()).values_list("pk", "code"))
    codes |= dict(Area.objects.filter(pk__in=list(township_of)).values_list("pk", "code"))
    pupils = defaultdict(list)  # children of an age to come, by village
    for pk, area_id, born in Child.objects.active().values_list("pk", "area_id", "birth_date"):
        if (today - born).days >= 3 * 365:
            pupils[area_id].append(pk)
    themes = [t for t, _ in Activity.Theme.choices]
    activity_first, audit_first = next_id(Activity), next_id(AuditEntry)
    activities, attendance, audits = [], [], []
    for home in sorted(homes, key=lambda h: h.area_id):
        recorder = directors.get(home.area_id) or staff.get(township_of.get(home.area_id))
        if recorder is None:
            continue
        roll = rng.random()
        held_share = rng.uniform(0.45, 0.7) if roll < WEAK_HOMES else rng.uniform(0.9, 1.0)
        idle = roll > 1 - IDLE_HOMES
        for weeks_ago in range(WEEKS):
            if (idle and weeks_ago < 5) or rng.random() > held_share:
                continue
            monday = today - dt.timedelta(days=today.weekday() + 7 * weeks_ago)
            day = monday + dt.timedelta(days=rng.choice((2, 4, 5, 5, 6)))
            if day > today:
                continue
            theme = "policy" if weeks_ago % 4 == 0 else rng.choice(themes)
            pk = activity_first + len(activities)
            pool = pupils.get(home.area_id, [])
            came = sorted(rng.sample(pool, k=min(len(pool), rng.randint(4, 18))))
            at = _moment(day, 18)
            helpers = rng.choice(["", "", "", "村小学教师", "县阳光社工", "大学生志愿者"])
            activities.append(
                (
                    pk,
                    home.pk,
                    day,
                    theme,
                    ACTIVITY_NOTES[theme],
                    helpers,
                    rng.randint(1, 4),
                    recorder.pk,
                    at,
                    at,
                    at,
                )
            )
            attendance += [(pk, child) for child in came]
            audits.append(
                (
                    audit_first + len(audits),
                    at,
                    recorder.pk,
                    recorder.username,
                    "care.activity.created",
                    "care.activity",
                    str(pk),
                    f"{home.name} {day:%Y-%m-%d} {Activity.Theme(theme).label}"[:200],
                    codes.get(recorder.area_id, ""),
                    Json(
                        json.dumps(
                            {"children": came, "theme": theme, "helpers": []}, sort_keys=True
                        )
                    ),
                )
            )
    with indexes_deferred(Activity, Activity.children.through):  # both empty before
        insert(
            Activity,
            ["id", "home_id", "held_on", "theme", "description", "helpers", "adults"]
            + ["recorded_by_id", "created_at", "updated_at", "made_at"],
            activities,
        )
        insert(Activity.children.through, ["activity_id", "child_id"], attendance)
        insert(
            AuditEntry,
            *seal_rows(
                ["id", "at", "actor_id", "actor_username", "action", "object_type", "object_id"]
                + ["object_repr", "area_code", "data"],
                audits,
            ),
        )
    return {"activities": len(activities), "attendances": len(attendance)}
