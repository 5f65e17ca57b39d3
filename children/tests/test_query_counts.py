"""Registry pages run a bounded number of queries whatever the number of children."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.personas import make_child

PAGES = [
    ("children:roster", {}, {}),
    ("children:roster", {}, {"category": "left_behind", "care_level": "ordinary", "q": "wang"}),
    ("children:roster", {}, {"age": "6-13", "order": "-birth_date", "area": "341623100000"}),
    ("children:transfers", {}, {}),
]


def add_children(world, n, start=0):
    for i in range(start, start + n):
        village = world["a1"] if i % 2 else world["b1"]
        make_child(village, f"王{i}", village_group=f"{i % 5}组")


@pytest.mark.parametrize("name,kwargs,params", PAGES)
def test_roster_queries_do_not_grow(
    client, county_officer, world, name, kwargs, params, django_assert_max_num_queries
):
    client.force_login(county_officer)
    url = reverse(name, kwargs=kwargs)
    add_children(world, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    add_children(world, 40, start=3)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url, params).status_code == 200
    # The page's 6 or so, and the read's audit: the reader's hourly budget, the entry and
    # its chain head (locked, then moved).
    assert len(small) <= 11


def test_child_page_queries_do_not_grow_with_history(
    client, director, world, django_assert_max_num_queries
):
    from children.services import update_child

    child = make_child(world["a1"])
    client.force_login(director)
    url = reverse("children:detail", kwargs={"pk": child.pk})
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(15):
        update_child(director, child, {"village_group": f"{i}组"})
    with django_assert_max_num_queries(len(before)):
        assert client.get(url).status_code == 200
    # The parents are read once for the page (they were read twice), who recorded the legal
    # basis and the caregiver with the child.
    assert len(before) <= 12
