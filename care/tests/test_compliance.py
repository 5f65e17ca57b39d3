import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from care.compliance import FIGURES, visit_rows
from care.services import record_visit
from stats.services import refresh_villages
from tests.personas import COUNTY, TOWNSHIP_A, make_child

LONG_AGO = dt.date(2024, 1, 1)  # registered well before any visit


def setup_children(world, director, other_director):
    """Children and visits in A1 and B1, and their villages' kept figures counted (as after
    each commit: the compliance figures are the kept ones)."""
    today = dt.date.today()
    a_special = make_child(world["a1"], "甲", dibao=True, registered_on=LONG_AGO)
    never = make_child(world["a1"], "乙", dibao=True, registered_on=LONG_AGO)
    # registered ten days ago and never visited: overdue
    type(never).objects.filter(pk=never.pk).update(
        created_at=never.created_at - dt.timedelta(days=10)
    )
    a_ordinary = make_child(world["a1"], "丙", registered_on=LONG_AGO)
    b_special = make_child(world["b1"], "丁", dibao=True, registered_on=LONG_AGO)
    record_visit(director, a_special, {"visited_on": today})
    record_visit(director, a_ordinary, {"visited_on": today})
    record_visit(other_director, b_special, {"visited_on": today - dt.timedelta(days=60)})
    refresh_villages([world["a1"].pk, world["b1"].pk])
    return today


def test_county_figures_add_up_to_the_townships(world, director, other_director):
    setup_children(world, director, other_director)
    rows, total = visit_rows(world["county"])
    by_code = {r["area"].code: r for r in rows}
    assert by_code[TOWNSHIP_A]["special"] == 2 and by_code[TOWNSHIP_A]["special_visited"] == 1
    for key in (
        "special",
        "special_visited",
        "special_overdue",
        "ordinary",
        "ordinary_visited",
        "ordinary_overdue",
    ):
        assert total[key] == sum(r[key] for r in rows), key
    assert total["special_overdue"] == 2  # 乙 never visited, 丁 visited 60 days ago


def test_township_page_lists_overdue_children_by_village_and_director(
    client, township_officer, world, director, other_director
):
    setup_children(world, director, other_director)
    client.force_login(township_officer)
    response = client.get(reverse("care:compliance", kwargs={"code": TOWNSHIP_A}), {"list": 1})
    groups = response.context["overdue_by_village"]
    assert [g["village"].code for g in groups] == [world["a1"].code]
    assert [i.child.name for i in groups[0]["items"]] == ["乙"]
    assert groups[0]["directors"] == [director]


def test_compliance_queries_do_not_grow(
    client, county_officer, world, director, other_director, django_assert_max_num_queries
):
    setup_children(world, director, other_director)
    client.force_login(county_officer)
    url = reverse("care:compliance", kwargs={"code": COUNTY})
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for i in range(20):
        make_child(world["a2"], f"新{i}", dibao=bool(i % 2))
    with django_assert_max_num_queries(len(first)):
        assert client.get(url).status_code == 200


def test_every_figure_lists_the_children_behind_it(
    client, county_officer, world, director, other_director
):
    setup_children(world, director, other_director)
    client.force_login(county_officer)
    _rows, total = visit_rows(world["county"])
    for figure in FIGURES:
        url = reverse("care:compliance_children", kwargs={"code": COUNTY, "figure": figure})
        listed = client.get(url).context["page"].paginator.count
        level, _sep, what = figure.partition("_")
        # The children not visited are those of the level less those visited.
        expected = total[level] - total[f"{level}_visited"] if what == "not_visited" else None
        assert listed == total.get(figure, expected), figure


def test_an_activity_week_lists_homes_with_and_without(client, township_officer, world, director):
    from care.models import Activity

    today = dt.date.today()
    Activity.objects.create(
        home=world["home_a1"], held_on=today, theme="arts", recorded_by=director
    )
    client.force_login(township_officer)
    year, week, _ = today.isocalendar()
    url = reverse("care:compliance_homes", kwargs={"code": TOWNSHIP_A, "year": year, "week": week})
    rows = client.get(url).context["rows"]
    assert [(r["home"], r["held"]) for r in rows] == [(world["home_a1"], True)]


def test_the_breadcrumb_links_up_only_to_visible_areas(client, director, township_officer, world):
    client.force_login(director)
    page = client.get(reverse("care:compliance", kwargs={"code": world["a1"].code}))
    assert reverse("care:compliance", kwargs={"code": TOWNSHIP_A}) not in page.content.decode()
    client.force_login(township_officer)
    page = client.get(reverse("care:compliance", kwargs={"code": world["a1"].code}))
    assert reverse("care:compliance", kwargs={"code": TOWNSHIP_A}) in page.content.decode()


def test_the_page_says_how_old_its_kept_figures_are(
    client, county_officer, world, director, other_director
):
    setup_children(world, director, other_director)
    client.force_login(county_officer)
    page = client.get(reverse("care:compliance", kwargs={"code": COUNTY})).content.decode()
    assert 'data-testid="data-age"' in page
    assert "由 2 个村的数据汇总" in page  # A1 and B1 have kept rows
