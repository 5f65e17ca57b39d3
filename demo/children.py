"""Generated children for the demo county: ~25,000 at county scale, with families.

Mix (docs/data-model.md §4): boys 54.5 %; ages 0–5 21.7 %, 6–13 67.4 %, 14–15 10.9 %; about
21,000 left behind, the rest in difficulty; 15–20 %
needing special attention. A few realistic data problems are planted for the
registry to surface: missing identity numbers, unregistered household registration,
the same child registered twice in two villages (same name and birth date), migrant
parents without a work city, caregivers without an entrustment agreement.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from children.imports import Row, build, gather_family
from children.models import Caregiver, Child, ChildChange, Parent
from children.services import snapshot
from children.signals import children_saved_in_bulk
from core import idnumber
from core.audit import log_action

from . import names
from .bulk import insert, insert_instances, next_id

PROVINCES = [
    ("浙江", ["杭州", "宁波", "温州", "嘉兴", "义乌"]),
    ("江苏", ["苏州", "南京", "无锡", "昆山"]),
    ("上海", ["上海"]),
    ("广东", ["深圳", "东莞", "广州", "佛山"]),
    ("北京", ["北京"]),
    ("福建", ["厦门", "泉州"]),
    ("安徽", ["合肥", "芜湖"]),
]
SCHOOLING_BY_AGE = [
    (3, "not_in_kindergarten"),
    (6, "kindergarten"),
    (12, "primary"),
    (15, "junior"),
    (18, "senior"),
]
CHILD_GIVEN = "子梓浩宇轩然欣怡涵雨佳思晨俊杰博文泽天瑞嘉一诺铭阳昊明雪婷悦琪乐安"


def _birth_date(rng, today):
    band = rng.random()
    low, high = (0, 5) if band < 0.217 else (6, 13) if band < 0.891 else (14, 15)
    age_days = rng.randint(low * 365 + 1, high * 365 + 364)
    return today - dt.timedelta(days=age_days)


def _schooling(age):
    for limit, value in SCHOOLING_BY_AGE:
        if age < limit:
            return value
    return "senior"


def _migrant(rng, gap=False):
    province, cities = rng.choice(PROVINCES)
    return {
        "status": "migrant",
        "work_province": province,
        "work_city": "" if gap else rng.choice(cities),
        "status_since": dt.date(rng.randint(2018, 2025), rng.randint(1, 12), 1),
        "phone": names.mobile(rng),
        "name": names.person_name(rng),
    }


def _at_home(rng, status="at_home", since=None):
    if status == "disabled":
        return _disabled(rng, since)
    return {
        "status": status,
        "work_province": "",
        "work_city": "",
        "status_since": since,
        "phone": names.mobile(rng) if status == "at_home" else "",
        "name": names.person_name(rng),
    }


def _disabled(rng, since=None):
    """A parent with a severe disability (重残): grade 1–2, or grade 3–4 intellectual or
    mental, as the policy computes it (children.policy.severely_disabled)."""
    category, grade = rng.choice(
        [("physical", 1), ("physical", 2), ("visual", 1), ("intellectual", 3), ("mental", 4)]
    )
    return {
        "status": "disabled",
        "disability_category": category,
        "disability_grade": grade,
        "work_province": "",
        "work_city": "",
        "status_since": since,
        "phone": "",
        "name": names.person_name(rng),
    }


def generate(villages, count: int, rng: random.Random, sequence_offset: int = 0) -> list[Row]:
    """Rows ready for the registry's bulk save (the importer's path).

    `sequence_offset` shifts the identity numbers' sequence codes, so a second batch (the
    import benchmark) does not collide with the seeded children.
    """
    today = timezone.localdate()
    sequences: dict[dt.date, int] = {}
    rows = []
    for index in range(count):
        village = rng.choice(villages)
        born = _birth_date(rng, today)
        sex = "M" if rng.random() < 0.545 else "F"
        age = (today - born).days // 365
        kind = rng.random()
        father, mother = _migrant(rng, gap=rng.random() < 0.01), _migrant(rng)
        dibao = extreme = low_income = False
        health, disability, grade, illness = "healthy", "", None, ""
        if kind < 0.72:  # both parents away
            pass
        elif kind < 0.84:  # one away, the other unable to care
            mother = _at_home(
                rng,
                rng.choice(["seriously_ill", "disabled", "deceased"]),
                dt.date(rng.randint(2015, 2024), 1, 1),
            )
            if rng.random() < 0.5:
                father, mother = mother, father
        elif kind < 0.915 or kind >= 0.97:  # poverty, parents at home
            father, mother = _at_home(rng), _at_home(rng)
            dibao, low_income = rng.random() < 0.7, True
            extreme = not dibao and rng.random() < 0.3
        elif kind < 0.945:  # disability
            father, mother = _at_home(rng), _at_home(rng)
            health, disability = (
                "disabled",
                rng.choice(["physical", "intellectual", "hearing", "visual", "speech", "multiple"]),
            )
            grade = rng.randint(1, 4)
        elif kind < 0.953:  # orphan
            father = _at_home(rng, "deceased", dt.date(rng.randint(2012, 2024), 1, 1))
            mother = _at_home(
                rng, rng.choice(["deceased", "missing"]), dt.date(rng.randint(2012, 2024), 1, 1)
            )
        else:  # de facto unsupported
            father = _at_home(
                rng,
                rng.choice(["imprisoned", "lost_contact"]),
                dt.date(rng.randint(2015, 2024), 1, 1),
            )
            mother = _at_home(
                rng,
                rng.choice(["deceased", "disabled", "lost_contact"]),
                dt.date(rng.randint(2015, 2024), 1, 1),
            )
        if kind < 0.84 and rng.random() < 0.015:
            dibao = True  # left behind and poor
        left_behind_like = father["status"] == "migrant" or mother["status"] == "migrant"
        caregiver = None
        if left_behind_like or father["status"] != "at_home":  # orphans and FUC too
            caregiver = {
                "name": names.person_name(rng),
                "relationship": rng.choices(
                    ["grandparent", "relative", "friend"], [0.96, 0.03, 0.01]
                )[0],
                "age": rng.randint(48, 82),
                "health": rng.choices(["healthy", "frail", "ill"], [0.987, 0.01, 0.003])[0],
                "phone": names.mobile(rng),
                "address": "",
                "assessment": rng.choices(["good", "fair", "poor"], [0.55, 0.445, 0.005])[0],
            }
        number = ""
        if rng.random() > 0.012:  # ~1 % registered without a number yet
            seq = sequences.get(born, sequence_offset) + 1
            sequences[born] = seq
            number = idnumber.make("341623", born, seq * 2 + (1 if sex == "M" else 0))
        name = rng.choice(names.SURNAMES) + "".join(
            rng.choice(CHILD_GIVEN) for _ in range(rng.choice((1, 2, 2)))
        )
        row = Row(number=index + 1, id_number=number)
        row.child = {
            "area": village,
            "village_group": f"{rng.randint(1, 9)}组",
            "name": name,
            "sex": sex,
            "ethnicity": "汉族",
            "birth_date": born,
            "hukou_type": "rural",
            "hukou_registered": rng.random() > 0.004,
            "address": f"{village.name}{rng.randint(1, 99)}号",
            "health": health,
            "disability_category": disability,
            "disability_grade": grade,
            "illness": illness,
            "schooling": _schooling(age) if rng.random() > 0.005 else "dropped_out",
            "school": "",
            "grade": "",
            "boarding": age >= 12 and rng.random() < 0.3,
            "dibao": dibao,
            "extreme_poverty": extreme,
            "low_income": low_income,
        }
        row.parents = {"father": father, "mother": mother}
        row.caregiver = caregiver
        rows.append(row)
    # The same child registered in two villages (a realistic duplicate to find).
    for original in rng.sample(rows, min(5, len(rows))):
        twin = Row(
            number=len(rows) + 1,
            child={**original.child, "area": rng.choice(villages)},
            parents=original.parents,
            caregiver=original.caregiver,
        )
        rows.append(twin)
    # The same child typed with another character of the same sound in its own village (the
    # registry's third rule: same pinyin, birth date and village). A generator of its own,
    # so the rest of the demo stays as the seed always made it.
    sounds = random.Random(f"sound-alike-{len(rows)}")
    alike = [r for r in rows if any(c in SAME_SOUND for c in r.child["name"][1:])]
    for original in sounds.sample(alike, min(3, len(alike))):
        name = original.child["name"]
        at = next(i for i in range(1, len(name)) if name[i] in SAME_SOUND)
        typed = name[:at] + SAME_SOUND[name[at]] + name[at + 1 :]
        rows.append(
            Row(
                number=len(rows) + 1,
                child={**original.child, "name": typed},
                parents=original.parents,
                caregiver=original.caregiver,
            )
        )
    # A generator of its own, so the rest of the demo stays as the seed always made it.
    planted = random.Random(f"young-disabled-{len(rows)}")
    rows.append(_young_disabled(rows, villages, planted, today, sequences, sequence_offset))
    return rows


def _young_disabled(rows, villages, rng, today, sequences, sequence_offset) -> Row:
    """A disabled four-year-old living with both parents, at every scale: the rehabilitation
    check (applications.eligibility) then has a child to find even in the small demo, where the
    mix above (3 % disabled, a fifth of them under seven) may give none."""
    born = today - dt.timedelta(days=4 * 365 + rng.randint(0, 300))
    seq = sequences.get(born, sequence_offset) + 1
    sequences[born] = seq
    child = {
        **rows[0].child,
        "area": rng.choice(villages),
        "name": rng.choice(names.SURNAMES) + rng.choice(CHILD_GIVEN) + rng.choice(CHILD_GIVEN),
        "sex": "F",
        "birth_date": born,
        "health": "disabled",
        "disability_category": "hearing",
        "disability_grade": 2,
        "illness": "",
        "schooling": _schooling(4),
        "boarding": False,
        "dibao": False,
        "extreme_poverty": False,
        "low_income": True,
    }
    return Row(
        number=len(rows) + 1,
        id_number=idnumber.make("341623", born, seq * 2),
        child=child,
        parents={"father": _at_home(rng), "mother": _at_home(rng)},
        caregiver=None,
    )


# Characters of given names and another of the same sound (tones aside), as a hurried
# registration may type them.
SAME_SOUND = {
    "小": "晓",
    "明": "鸣",
    "红": "虹",
    "伟": "炜",
    "丽": "莉",
    "华": "桦",
    "军": "君",
    "杰": "洁",
}


def registration_times(rows: list[Row], rng: random.Random, today: dt.date) -> list:
    """When each child was registered: most with the county's first roster, a little over
    three years ago (before the visits begin), then a steady trickle of newly found
    children and newborns, and about 4 % this quarter (the dashboard's "registered this
    quarter"). Never before the child was born."""
    first_roster = today - dt.timedelta(days=3 * 365 + 45)
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    times = []
    for row in rows:
        roll = rng.random()
        if roll < 0.04:
            day = quarter + dt.timedelta(days=rng.randint(0, max(0, (today - quarter).days)))
        elif roll < 0.75:
            day = first_roster + dt.timedelta(days=rng.randint(0, 30))
        else:
            day = first_roster + dt.timedelta(days=rng.randint(31, (quarter - first_roster).days))
        born = row.child["birth_date"]
        if day <= born:
            day = min(today, born + dt.timedelta(days=rng.randint(20, 120)))
        moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
        times.append(timezone.make_aware(moment))
    return times


def save_rows_fast(rows: list[Row], registered: list | None = None) -> list[int]:
    """What `children.imports.save_rows(None, rows)` writes, with the fast inserts: each
    child built and classified by the importer's own `build`, its parents and caregiver,
    its "imported" history entry with every recorded fact, one `children.child.imported`
    audit entry, and the signal that has the villages' figures recounted. About three times
    faster at county scale, where `bulk_create` spent most of the seed's time preparing
    values (demo/tests compares the two on a sample)."""
    today = timezone.localdate()
    built = [build(row, today) for row in rows]
    if registered:  # the demo's registration times (see registration_times)
        for (child, _p, _c), moment in zip(built, registered, strict=True):
            child.created_at = moment
    with transaction.atomic():
        insert_instances([child for child, _p, _c in built], Child)
        parents, caregivers, changes = [], [], []
        first, at = next_id(ChildChange), timezone.now()
        for child, family, caregiver in built:
            gather_family(child, family, caregiver, parents, caregivers)
            changes.append(
                (
                    first + len(changes),
                    child.pk,
                    child.created_at if registered else at,
                    None,
                    "",
                    ChildChange.Kind.IMPORTED.value,
                    {k: [None, v] for k, v in snapshot(child, family, caregiver).items()},
                    "",
                )
            )
        insert_instances(parents, Parent)
        insert_instances(caregivers, Caregiver)
        columns = ["id", "child_id", "at", "actor_id", "actor_username", "kind", "changes", "note"]
        insert(ChildChange, columns, changes)
        ids = [child.pk for child, _p, _c in built]
        children_saved_in_bulk.send(sender=Child, area_ids={c.area_id for c, _p, _c in built})
        log_action(
            None, "children.child.imported", None, {"filename": "", "count": len(ids), "ids": ids}
        )
    return ids


def seed_children(villages, count: int, rng: random.Random) -> int:
    """Register the generated children as the registry's import does (see save_rows_fast)."""
    rows = generate(villages, count, rng)
    save_rows_fast(rows, registration_times(rows, rng, timezone.localdate()))
    return len(rows)
