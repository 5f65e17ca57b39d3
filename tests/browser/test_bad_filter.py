"""A bad id in a list's filter on a 360 px phone: the filter says what to give, next to it."""

import pytest

pytestmark = pytest.mark.browser

WIDTH = 360


def test_a_huge_programme_id_in_the_measures_filter_is_explained_on_a_phone(
    phone_page, login, expect, world, county_officer, fitted_shot
):
    page = phone_page
    login(page, "county_officer")
    page.goto("/relief/measures/?programme=99999999999999999999")
    expect(page.get_by_test_id("filter-error-programme")).to_contain_text("请填写记录编号")
    fitted_shot(page, WIDTH, "measures-bad-programme")
