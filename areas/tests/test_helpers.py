"""The user's county and the breadcrumbs: one helper each, used by every app."""

from areas.services import breadcrumbs, county_of, county_of_user
from tests.personas import A1, COUNTY


def test_the_county_of_an_area_a_code_or_a_prefix(world):
    county = world["county"]
    assert county_of(world["a1"]) == county
    assert county_of(A1) == county
    assert county_of("341623100") == county
    assert county_of("3416") is None and county_of(None) is None


def test_the_county_a_user_works_in(county_officer, township_officer, director, volunteer, world):
    for user in (county_officer, township_officer, director):
        assert county_of_user(user) == world["county"]
    assert county_of_user(volunteer) is None  # a helper sees no area


def test_breadcrumbs_link_only_what_the_user_sees(director, county_officer, world):
    def crumbs(user):
        return [(c["area"].code, c["visible"]) for c in breadcrumbs(user, world["a1"])]

    assert crumbs(county_officer)[-2:] == [(COUNTY, True), ("341623100000", True)]
    assert crumbs(director)[-2:] == [(COUNTY, False), ("341623100000", False)]
    assert [code for code, _ in crumbs(director)][:2] == ["340000000000", "341600000000"]
