"""A bad id in a list's filter on a 360 px phone: the filter says what to give, next to it."""

import pytest

pytestmark = pytest.mark.browser

WIDTH = 360


def test_a_huge_programme_id_in_the_measures_filter_is_explained_on_a_phone(
    phone_page, login, shot, fits, expect, world, county_officer
):
    page = phone_page
    login(page, "county_officer")
    page.goto("/relief/measures/?programme=99999999999999999999")
    expect(page.get_by_test_id("filter-error-programme")).to_contain_text("请填写记录编号")
    fits(page, WIDTH)
    shot(page, "measures-bad-programme")
