"""The dashboard: scoped, drills down one level, links to the children behind a figure,
bounded queries whatever the data."""

import pytest
from django.urls import reverse

from stats import services
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world):
    for village, n in ((world["a1"], 3), (world["a2"], 2), (world["b1"], 4)):
        for i in range(n):
            make_child(village, f"孩子{i}", sex="MF"[i % 2])
    services.refresh_all()
    return world


def test_county_dashboard_lists_townships_that_link_down(client, counted, county_officer):
    client.force_login(county_officer)
    page = client.get(reverse("stats:dashboard", args=[counted["county"].code]))
    assert page.status_code == 200
    assert page.context["total"]["children"] == 9
    units = {row["area"].code: row["children"] for row in page.context["units"]}
    assert units == {counted["a"].code: 5, counted["b"].code: 4}
    assert reverse("stats:dashboard", args=[counted["a"].code]) in page.text
    assert "<svg" in page.text


def test_village_figures_open_the_children_behind_them(client, counted, director):
    client.force_login(director)
    page = client.get(reverse("stats:dashboard", args=[counted["a1"].code]))
    link = page.context["link"]["left_behind"]
    assert link.startswith(reverse("children:roster")) and "category=left_behind" in link
    roster = client.get(link)
    assert roster.context["page"].paginator.count == page.context["total"]["left_behind"] == 3
    girls = client.get(page.context["link"]["girls"])
    assert girls.context["page"].paginator.count == page.context["total"]["girls"] == 1


def test_scoping(client, counted, director, township_officer, volunteer):
    client.force_login(director)
    assert client.get(reverse("stats:dashboard", args=[counted["b1"].code])).status_code == 404
    assert client.get(reverse("stats:dashboard", args=[counted["a"].code])).status_code == 404
    client.force_login(township_officer)
    assert client.get(reverse("stats:dashboard", args=[counted["b"].code])).status_code == 404
    assert client.get(reverse("stats:dashboard_root")).url == reverse(
        "stats:dashboard", args=[counted["a"].code]
    )
    client.force_login(volunteer)
    assert client.get(reverse("stats:dashboard_root")).status_code == 200
    assert client.get(reverse("stats:dashboard", args=[counted["a"].code])).status_code == 404


def test_dashboard_queries_do_not_grow_with_children(
    client, world, county_officer, django_assert_max_num_queries
):
    client.force_login(county_officer)
    url = reverse("stats:dashboard", args=[world["county"].code])
    for count in (1, 40):
        for i in range(count):
            make_child(world["a1"], f"孩{count}{i}")
        services.refresh_all()
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_stats_api_for_any_visible_area(counted, county_officer, director):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county_officer)
    body = api.get(f"/api/v1/stats/{counted['county'].code}/").json()
    assert body["figures"]["children"] == 9 and body["villages"] == 3
    assert sum(u["figures"]["children"] for u in body["units"]) == 9
    own = api.get("/api/v1/stats/").json()
    assert own["code"] == counted["county"].code
    api.force_authenticate(director)
    assert api.get(f"/api/v1/stats/{counted['b1'].code}/").status_code == 404
    assert api.get("/api/v1/stats/").json()["figures"]["children"] == 3
    schema = api.get("/api/schema/")
    assert b"/api/v1/stats/{code}/" in schema.content


def test_a_national_leader_sees_every_province(client, counted):
    from areas.codes import NATION_CODE, Level
    from areas.models import Area
    from tests.personas import make_user

    nation = Area.objects.create(code=NATION_CODE, name="全国", level=Level.NATION)
    leader = make_user("national_leader", "leader", nation)
    client.force_login(leader)
    page = client.get(reverse("stats:dashboard", args=[NATION_CODE]))
    assert page.status_code == 200 and page.context["total"]["children"] == 9
    assert [row["area"].name for row in page.context["units"]] == ["安徽省"]
    assert client.get(reverse("stats:dashboard_root")).url == page.request["PATH_INFO"]
    assert page.context["quarters"] == [] and 'data-testid="trend"' not in page.text
