"""A county officer on a phone drills down the dashboard to a village and taps a figure:
the list shows exactly that village's children (issue 12, points 5 and 12)."""

import re

import pytest

from tests.personas import A2, COUNTY, TOWNSHIP_A, make_child

pytestmark = pytest.mark.browser


@pytest.fixture
def counted(world):
    from stats import services

    for village, names in (
        (world["a1"], ["王一", "王二", "王三"]),
        (world["a2"], ["李一", "李二"]),
        (world["b1"], ["张一", "张二", "张三", "张四"]),
    ):
        for i, name in enumerate(names):
            make_child(village, name, sex="MF"[i % 2])
    services.refresh_all()
    return world


def test_a_village_figure_opens_exactly_that_villages_children(
    phone_page, login, expect, counted, county_officer, fitted_shot
):
    page = phone_page
    login(page, "county_officer")
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(rf"/dashboard/{COUNTY}/$"))
    expect(page.get_by_test_id("figure-children").locator(".n")).to_have_text("9")
    fitted_shot(page, 360, "1-county")

    page.get_by_test_id(f"unit-{TOWNSHIP_A}").get_by_role("link", name="城关镇").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/{TOWNSHIP_A}/$"))
    expect(page.get_by_test_id("figure-children").locator(".n")).to_have_text("5")
    fitted_shot(page, 360, "2-township")

    page.get_by_test_id(f"unit-{A2}").get_by_role("link", name="李楼村").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/{A2}/$"))
    figure = page.get_by_test_id("figure-children").locator(".n")
    expect(figure).to_have_text("2")
    fitted_shot(page, 360, "3-village")

    page.get_by_test_id("figure-children").click()
    expect(page).to_have_url(re.compile(rf"/children/\?.*area={A2}"))
    roster = page.get_by_test_id("roster")
    expect(roster.locator("tr[data-child]")).to_have_count(2)
    expect(roster).to_contain_text("李一")
    expect(roster).to_contain_text("李二")
    for elsewhere in ("王一", "张一"):
        expect(roster).not_to_contain_text(elsewhere)
    expect(page.locator("main")).to_contain_text("共 2 条")
    expect(page.locator("select[name=area] option:checked")).to_have_text("城关镇 李楼村")
    fitted_shot(page, 360, "4-village-children")
