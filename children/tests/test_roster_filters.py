"""The roster's area filter takes any area the user may see and refuses the others out loud;
the period filters behind "registered / closed this quarter"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from children.filters import quarter_start
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_villages(world):
    return {
        "a1": make_child(world["a1"], "王一"),
        "a2": make_child(world["a2"], "李二"),
        "b1": make_child(world["b1"], "张三"),
    }


def _names(response):
    return sorted(c.name for c in response.context["page"].object_list)


@pytest.mark.parametrize(
    ("area", "names"),
    [
        ("county", ["张三", "李二", "王一"]),
        ("a", ["李二", "王一"]),
        ("a2", ["李二"]),
        ("b1", ["张三"]),
    ],
)
def test_a_county_officer_filters_the_roster_by_any_area_of_the_county(
    client, county_officer, world, three_villages, area, names
):
    client.force_login(county_officer)
    response = client.get(reverse("children:roster"), {"area": world[area].code})
    assert response.status_code == 200
    assert _names(response) == names


def test_a_village_deeper_than_the_list_is_offered_with_its_township_name(
    client, county_officer, world, three_villages
):
    client.force_login(county_officer)
    response = client.get(reverse("children:roster"), {"area": world["a2"].code})
    assert f'<option value="{world["a2"].code}" selected>城关镇 李楼村</option>' in response.text


def test_a_director_filters_by_their_own_village(client, director, world, three_villages):
    client.force_login(director)
    response = client.get(reverse("children:roster"), {"area": world["a1"].code})
    assert response.status_code == 200 and _names(response) == ["王一"]


@pytest.mark.parametrize("value", ["341623101201", "999999999999", "abc", "341623"])
def test_an_area_outside_the_jurisdiction_or_unknown_is_an_error_not_the_whole_list(
    client, township_officer, world, three_villages, value
):
    client.force_login(township_officer)
    response = client.get(reverse("children:roster"), {"area": value})
    assert response.status_code == 400
    assert _names(response) == []
    assert 'data-testid="filter-error-area"' in response.text
    assert "不明地区，或不在您辖区内的地区" in response.text


def test_the_api_answers_400_for_an_area_outside_the_jurisdiction(
    township_officer, world, three_villages
):
    api = APIClient()
    api.force_authenticate(township_officer)
    refused = api.get("/api/v1/children/", {"area": world["b1"].code})
    assert refused.status_code == 400 and "area" in refused.json()
    allowed = api.get("/api/v1/children/", {"area": world["a2"].code})
    assert [c["name"] for c in allowed.json()["results"]] == ["李二"]


def test_registered_this_quarter_lists_only_this_quarters_registrations(
    client, county_officer, world
):
    today = timezone.localdate()
    make_child(world["a1"], "新登记")
    make_child(world["a1"], "旧登记", registered_on=quarter_start(today) - dt.timedelta(days=1))
    client.force_login(county_officer)
    response = client.get(reverse("children:roster"), {"registered": "quarter"})
    assert _names(response) == ["新登记"]


def test_closed_this_quarter_lists_only_this_quarters_closures(client, county_officer, world):
    from children.services import close_child

    today = timezone.localdate()
    recent, old = make_child(world["a1"], "本季注销"), make_child(world["a1"], "早先注销")
    close_child(county_officer, recent, "moved", today)
    close_child(county_officer, old, "moved", quarter_start(today) - dt.timedelta(days=1))
    client.force_login(county_officer)
    response = client.get(reverse("children:roster"), {"status": "closed", "closed": "quarter"})
    assert _names(response) == ["本季注销"]
