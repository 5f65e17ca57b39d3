"""The village figures stay equal to a full recount whatever happens, and add up exactly."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from areas.codes import PREFIX_LENGTH
from care.models import Activity
from care.services import record_visit
from children import services as registry
from children.models import Child
from relief.services import add_contact
from rounds import services as rounds
from stats import services
from stats.models import FIGURES, AreaStats, VillageStats
from tests.personas import make_child

pytestmark = pytest.mark.django_db

NAMES = "王李张刘陈杨赵黄周吴"


def stored():
    return {
        row.pk: {name: getattr(row, name) for name in FIGURES} for row in VillageStats.objects.all()
    }


def test_figures_follow_a_random_sequence_of_changes(
    world, director, township_officer, county_officer, django_capture_on_commit_callbacks
):
    rng = random.Random(20261128)
    villages = [world["a1"], world["a2"], world["b1"]]
    today = timezone.localdate()
    children = []
    with django_capture_on_commit_callbacks(execute=True):
        rounds.open_round(county_officer, world["county"], *rounds.quarter_of(today), today)
    for step in range(60):
        action = rng.choice(
            ["register", "register", "visit", "close", "transfer", "contact", "activity"]
        )
        active = [c for c in children if c.status == "active"]
        with django_capture_on_commit_callbacks(execute=True):
            if action == "register" or not active:
                born = dt.date(rng.randint(2009, 2025), rng.randint(1, 12), rng.randint(1, 28))
                parent = rng.choice(["migrant", "at_home", "deceased"])
                child = make_child(
                    rng.choice(villages),
                    rng.choice(NAMES) + f"{step}",
                    born=born,
                    father=parent,
                    caregiver=rng.random() < 0.7,
                    sex=rng.choice("MF"),
                    actor=county_officer,
                )
                children.append(child)
            elif action == "visit":
                child = rng.choice(active)
                record_visit(
                    county_officer,
                    child,
                    {"visited_on": today - dt.timedelta(days=rng.randint(0, 400))},
                )
            elif action == "close":
                child = rng.choice(active)
                registry.close_child(county_officer, child, "moved_away", today)
            elif action == "transfer":
                child = rng.choice(active)
                target = rng.choice([v for v in villages if v.pk != child.area_id])
                registry.transfer_child(county_officer, child, target)
            elif action == "contact":
                child = rng.choice(active)
                add_contact(
                    county_officer, child, {"name": "李老师", "role": "teacher", "since": today}
                )
            else:
                Activity.objects.create(
                    home=world["home_a1"], held_on=today, theme="policy", recorded_by=director
                )
        for child in children:
            child.refresh_from_db()
    assert Child.objects.count() > 10 and Child.objects.filter(status="closed").exists()
    assert stored() == services.recount([v.pk for v in villages])
    # The townships' and county's rows, kept at each change, are the sums of their villages.
    sums = AreaStats.objects.all()
    assert sorted(row.code for row in sums) == sorted(
        [world["a"].code, world["b"].code, world["county"].code]
    )
    for row in sums:
        length = PREFIX_LENGTH[row.level]
        below = [r for r in VillageStats.objects.all() if r.code[:length] == row.code[:length]]
        assert row.villages == len(below)
        for name in FIGURES:
            assert getattr(row, name) == sum(getattr(r, name) for r in below), (row.code, name)


def test_every_level_adds_up_to_the_level_below(world, county_officer):
    for village, n in ((world["a1"], 3), (world["a2"], 2), (world["b1"], 4)):
        for i in range(n):
            make_child(village, f"孩子{i}", sex="MF"[i % 2], father="at_home" if i else "migrant")
    services.refresh_all()
    county = services.totals(world["county"])
    townships = services.breakdown(world["county"])
    assert county["children"] == 9
    for name in FIGURES:
        assert county[name] == sum(row[name] for row in townships), name
    for township in (world["a"], world["b"]):
        total = services.totals(township)
        villages = services.breakdown(township)
        for name in FIGURES:
            assert total[name] == sum(row[name] for row in villages), name
    a1 = services.breakdown(world["a"])[0]
    assert a1["area"] == world["a1"] and a1["children"] == 3
    # A village's figures are the children the roster lists under the same filter.
    on = timezone.localdate()
    filters = services.child_filters(on)
    active = Child.objects.within(world["a1"].prefix).active()
    from care.schedule import with_visits

    for name, q in filters.items():
        assert a1[name] == with_visits(active).filter(q).count(), name
