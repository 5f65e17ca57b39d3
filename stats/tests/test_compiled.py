"""The compiled queries of stats.services (core.compiled) give what the ORM gives: every
figure of a recount for any villages and day, every sum of every level, empty areas too."""

import datetime as dt

import pytest
from django.utils import timezone

from areas.codes import NATION_CODE, PREFIX_LENGTH, Level
from areas.models import Area
from core.compiled import uncompiled
from stats import services
from stats.models import FIGURES, AreaStats, VillageStats

from . import test_figure_lists

county_world = test_figure_lists.county_world  # the fixture, here too

pytestmark = pytest.mark.django_db


def _days():
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [
        today,
        monday,
        quarter,
        quarter - dt.timedelta(days=1),
        today - dt.timedelta(days=400),
        today + dt.timedelta(days=200),
    ]


@pytest.fixture
def areas(request):
    """The county world, with the nation above it and a township and a county that have
    no villages (their sums are all 0)."""
    world = request.getfixturevalue("county_world")
    nation = Area.objects.create(code=NATION_CODE, name="全国", level=Level.NATION)
    Area.objects.filter(level=Level.PROVINCE).update(parent=nation)
    world["nation"] = nation
    world["empty_township"] = Area.objects.create(
        code="341623300000", name="空镇", level=Level.TOWNSHIP, parent=world["county"]
    )
    world["empty_county"] = Area.objects.create(
        code="341624000000", name="空县", level=Level.COUNTY, parent=world["city"]
    )
    world["empty_village"] = Area.objects.create(
        code="341623101209", name="空村", level=Level.VILLAGE, parent=world["b"]
    )
    services.refresh_all()
    return world


def test_a_recount_is_the_orms_for_any_villages_and_day(areas):
    villages = [areas[name].pk for name in ("a1", "a2", "b1", "empty_village")]
    township = areas["a"].pk
    for on in _days():
        for ids in (
            villages,
            villages[:1],
            villages[1:3],
            [villages[2], villages[0]],
            [villages[0], 10**9],  # an id no area has
            [township, villages[1]],  # not a village: counts nothing, as in the ORM
            [],
        ):
            with uncompiled():
                expected = services.recount(ids, on)
            assert services.recount(ids, on) == expected, (on, ids)
    assert any(services.recount(villages)[pk]["children"] for pk in villages)


def test_a_recount_in_another_time_zone_is_the_orms_there(areas):
    villages = [areas[name].pk for name in ("a1", "a2", "b1")]
    on = timezone.localdate()
    compiled = services.recount(villages, on)
    with timezone.override("America/Los_Angeles"):
        with uncompiled():
            expected = services.recount(villages, on)
        assert services.recount(villages, on) == expected
    assert services.recount(villages, on) == compiled


def test_every_sum_of_every_level_is_the_orms(areas):
    levels = set()
    for area in Area.objects.order_by("code"):
        with uncompiled():
            total, rows = services.totals(area), services.breakdown(area)
        assert services.totals(area) == total, area.code
        assert services.breakdown(area) == rows, area.code
        levels.add(area.level)
    assert levels == set(Level.values)
    assert (
        services.totals(areas["nation"])["children"] == services.totals(areas["county"])["children"]
    )
    empty = services.totals(areas["empty_county"])
    assert empty == {**dict.fromkeys(FIGURES, 0), "villages": 0, "oldest": None}
    assert services.totals(areas["empty_township"])["villages"] == 0


def test_the_orm_aggregate_gives_the_same_totals(areas):
    """totals reads a grouped-by-a-constant query: the same figures as aggregate()."""
    from django.db.models import Min, Sum

    for area in (areas["nation"], areas["county"], areas["a"], areas["a1"], areas["empty_county"]):
        rows, villages = services._source(area.level, area.prefix)
        sums = rows.aggregate(
            **{name: Sum(name) for name in FIGURES}, villages=villages, oldest=Min("computed_at")
        )
        total = services.totals(area)
        assert total["oldest"] == sums["oldest"]
        for name in (*FIGURES, "villages"):
            assert total[name] == (sums[name] or 0), (area.code, name)


def _rows(model, times=True) -> dict:
    fields = ["on", *FIGURES]
    if model is AreaStats:
        fields += ["villages", "computed_at"] if times else ["villages"]
    return {row["pk"]: row for row in model.objects.values("pk", *fields)}


def test_roll_up_and_refresh_store_what_the_orm_stores(areas):
    township = PREFIX_LENGTH[Level.TOWNSHIP]
    county = PREFIX_LENGTH[Level.COUNTY]
    cases = [
        (Level.TOWNSHIP, [areas["a1"].code[:township]]),
        (Level.TOWNSHIP, [areas["a"].prefix, areas["b"].prefix, areas["empty_township"].prefix]),
        (Level.TOWNSHIP, ["341623999"]),  # no such township: nothing stored
        (Level.COUNTY, [areas["county"].prefix[:county]]),
        (Level.COUNTY, [areas["county"].prefix, areas["empty_county"].prefix]),
    ]
    for on in _days()[:3]:
        for level, prefixes in cases:
            AreaStats.objects.update(children=99, villages=99)
            with uncompiled():
                services.roll_up(level, prefixes, on)
            expected = _rows(AreaStats)
            AreaStats.objects.update(children=99, villages=99)
            services.roll_up(level, prefixes, on)
            assert _rows(AreaStats) == expected, (level, prefixes)
        ids = [areas[name].pk for name in ("a1", "b1", "empty_village")] + [areas["a"].pk]
        VillageStats.objects.update(children=99)
        with uncompiled():
            written = services.refresh_villages(ids, on)
        # The rows' computation times are the clock's: compared apart from them.
        expected = _rows(VillageStats), _rows(AreaStats, times=False)
        VillageStats.objects.update(children=99)
        assert services.refresh_villages(ids, on) == written == 3
        assert (_rows(VillageStats), _rows(AreaStats, times=False)) == expected


def test_a_village_refresh_costs_the_same_queries_as_before(areas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.refresh_villages([areas["a1"].pk])  # compiles
    with CaptureQueriesContext(connection) as queries:
        services.refresh_villages([areas["a1"].pk])
    statements = [q["sql"] for q in queries.captured_queries]
    # The village, its row (insert, lock), 6 counting queries, the write; then for its
    # township and its county each: the area, insert, lock, sums, write.
    assert len([s for s in statements if s.startswith(("SELECT", "INSERT", "UPDATE"))]) == 20
