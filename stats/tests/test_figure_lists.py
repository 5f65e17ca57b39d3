"""Every figure of every dashboard level opens exactly the records it counts, for every role
that sees the dashboard (issue 12, point 5).

The test walks `stats.models.FIGURES` and the dashboard's own `figure_link`, so a figure
added later is walked too: it fails until it has a link and a list. A list marks each row
with the kind of record it shows and the record's id (`data-child="12"`, `data-home`,
`data-return` …), and `stats.services.members` says which records (of which kind) a figure
counts.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Activity
from care.services import record_visit
from children.filters import quarter_start
from children.services import close_child
from relief import services as relief
from relief.catalogue import ensure_catalogue
from relief.models import Programme
from rounds import services as rounds
from rounds.models import VillageReturn
from stats import services
from stats.models import FIGURES
from tests.personas import make_child, make_user

pytestmark = pytest.mark.django_db

ROW = re.compile(r'data-([a-z]+)="(\d+)"')  # data-child="12", data-home="3" …


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def county_world(world, county_officer, director):
    """Children, visits, homes' activities, relief, contacts and an open round's returns,
    different in each village, so that a list of the wrong area shows a different count."""
    today = timezone.localdate()
    last_quarter = quarter_start(today) - dt.timedelta(days=10)
    a1, a2, b1 = world["a1"], world["a2"], world["b1"]

    # Village A1: left-behind children, one registered this quarter, one visited special
    # child registered last quarter, a toddler; one record closed this quarter, one before.
    make_child(a1, "王一", born=dt.date(2015, 3, 1))
    special_a1 = make_child(
        a1, "王二", sex="F", dibao=True, born=dt.date(2012, 6, 1), registered_on=last_quarter
    )
    record_visit(county_officer, special_a1, {"visited_on": today})
    make_child(
        a1, "王三", sex="F", born=today.replace(year=today.year - 3), registered_on=_ago(200)
    )
    close_child(county_officer, make_child(a1, "王四", registered_on=_ago(300)), "moved", today)
    old = make_child(a1, "王五", registered_on=_ago(400))
    close_child(county_officer, old, "moved", last_quarter)

    # Village A2: a special-attention child never visited (overdue), an ordinary child visited,
    # an orphan of 15.
    make_child(a2, "李一", dibao=True, registered_on=_ago(90))
    visited = make_child(a2, "李二", registered_on=_ago(120))
    record_visit(county_officer, visited, {"visited_on": _ago(5)})
    make_child(
        a2, "李三", father="deceased", mother="deceased", born=today.replace(year=today.year - 15)
    )

    # Village B1: special children with relief and a contact, a child of 16 in difficulty.
    ensure_catalogue(world["county"])
    dibao = Programme.objects.get(county=world["county"], code="dibao")
    for name in ("张一", "张二"):
        child = make_child(b1, name, dibao=True, registered_on=_ago(60))
        relief.add_measure(
            county_officer, child, {"programme": dibao, "start_month": today.replace(day=1)}
        )
    relief.add_contact(
        county_officer, child, {"name": "李老师", "role": "teacher", "since": _ago(30)}
    )
    make_child(
        b1, "张三", dibao=True, born=today.replace(year=today.year - 17) - dt.timedelta(days=3)
    )
    make_child(b1, "张四", sex="F", registered_on=_ago(10))

    # Children's homes: A1 held an activity this week and last week, B1 only last week.
    monday = today - dt.timedelta(days=today.weekday())
    for home, day in (
        (world["home_a1"], today),
        (world["home_a1"], monday - dt.timedelta(days=3)),
        (world["home_b1"], monday - dt.timedelta(days=2)),
    ):
        Activity.objects.create(home=home, held_on=day, theme="policy", recorded_by=director)

    # The open round: A1 submitted, A2 returned for correction, B1 not started.
    rounds.open_round(county_officer, world["county"], *rounds.quarter_of(today), today)
    VillageReturn.objects.filter(area=a1).update(state="submitted")
    VillageReturn.objects.filter(area=a2).update(state="returned")
    services.refresh_all()
    return world


# (persona, area of the dashboard): every level each role can see, from the nation's
# provinces down to a village.
CASES = [
    ("province_leader", "province"),
    ("county_officer", "county"),
    ("county_officer", "a"),
    ("county_officer", "b"),
    ("county_officer", "a1"),
    ("county_officer", "a2"),
    ("county_officer", "b1"),
    ("township_staff", "a2"),
    ("leader", "county"),
    ("township_officer", "a"),
    ("township_officer", "a2"),
    ("other_township_officer", "b"),
    ("director", "a1"),
    ("other_director", "b1"),
]


def _listed(client, link: str) -> tuple[list[tuple[str, int]], int]:
    """The records a list shows over all its pages, and its HTTP status."""
    rows, page = [], 1
    while True:
        response = client.get(link, {"page": page} if page > 1 else {})
        if response.status_code != 200:
            return rows, response.status_code
        rows += [(kind, int(pk)) for kind, pk in ROW.findall(response.text)]
        paginated = (response.context or {}).get("page")
        if not (paginated and paginated.has_next()):
            return rows, 200
        page += 1


@pytest.mark.parametrize(("persona", "where"), CASES)
def test_every_figure_opens_exactly_the_records_it_counts(
    client, request, county_world, persona, where
):
    if persona == "province_leader":
        user = make_user("province_leader", "leader", county_world["province"])
    else:
        user = request.getfixturevalue(persona)
    area = county_world[where]
    client.force_login(user)
    dashboard = client.get(reverse("stats:dashboard", args=[area.code]))
    assert dashboard.status_code == 200
    total, links = dashboard.context["total"], dashboard.context["link"]
    failures = []
    for name in FIGURES:
        link = links.get(name)
        if not link or link.startswith("#"):
            failures.append(f"{name}: no list behind the figure (figure_link gave {link!r})")
            continue
        try:
            kind, counted = services.members(area, name)
        except KeyError:
            failures.append(f"{name}: stats.services.members does not say what it counts")
            continue
        rows, status = _listed(client, link)
        if status != 200:
            failures.append(f"{name}: {link} answered {status}")
            continue
        ids = [pk for row_kind, pk in rows if row_kind == kind]
        expected = set(counted.values_list("pk", flat=True))
        if not (total[name] == len(ids) == len(expected) and set(ids) == expected):
            failures.append(
                f"{name}: figure {total[name]}, list {len(ids)} {sorted(ids)}, "
                f"counted {sorted(expected)} ({link})"
            )
    assert not failures, f"{persona} at {where}:\n" + "\n".join(failures)


def test_the_world_makes_the_figures_differ_between_areas(county_world):
    """A list of the wrong area must show a different count: the walk above relies on it."""
    county = services.totals(county_world["county"])
    a1 = services.totals(county_world["a1"])
    assert county["children"] > a1["children"] > 0
    for name in ("new_quarter", "closed_quarter", "special_visited", "special_overdue",
                 "special_with_relief", "special_with_contact", "homes_active_week",
                 "homes_active_last_week", "return_submitted", "return_returned",
                 "return_not_started", "age_0_5", "age_14_15", "age_16_17", "orphan"):  # fmt: skip
        assert county[name] > 0, name
    assert a1["new_quarter"] == 1 and a1["closed_quarter"] == 1


@pytest.mark.parametrize("name", ["special_with_relief", "homes_active_week", "return_returned"])
def test_a_figures_list_costs_a_fixed_number_of_queries(
    client, world, county_officer, django_assert_max_num_queries, name
):
    client.force_login(county_officer)
    url = reverse("stats:figure", args=[world["county"].code, name])
    for count in (1, 30):
        for i in range(count):
            make_child(world["a1"], f"孩{count}{i}", dibao=True)
        # (with the read's audit entry: the reader's budget, the entry, its chain head)
        with django_assert_max_num_queries(9):
            assert client.get(url).status_code == 200


def test_the_roster_filtered_by_a_village_costs_a_fixed_number_of_queries(
    client, world, county_officer, django_assert_max_num_queries
):
    client.force_login(county_officer)
    for count in (1, 30):
        for i in range(count):
            make_child(world["a2"], f"孩{count}{i}")
        with django_assert_max_num_queries(10):
            response = client.get(reverse("children:roster"), {"area": world["a2"].code})
        assert response.status_code == 200
