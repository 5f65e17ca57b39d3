"""Dashboards in the browser: the county officer drills down county → township → village →
the children behind a figure → a child; a township cannot open another township's
dashboard; the first load, charts included, stays under 150 KB; phone and desktop."""

import re

import pytest

from stats.services import refresh_all
from tests.personas import A1, TOWNSHIP_A, TOWNSHIP_B, make_child

pytestmark = pytest.mark.browser

PAGE_BUDGET = 150 * 1024


def test_county_officer_drills_down_to_a_child(
    new_page, login, shot, fits, world, county_officer, township_officer, expect
):
    from .conftest import DESKTOP, PHONE

    make_child(world["a1"], "王小明")
    make_child(world["a1"], "王小红", sex="F")
    make_child(world["b1"], "张小红", sex="F")
    refresh_all()

    page = login(new_page(DESKTOP), "county_officer")
    sizes = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
    page.goto(f"/dashboard/{world['county'].code}/")
    expect(page.get_by_test_id("figure-children")).to_contain_text("3")
    page.wait_for_load_state("networkidle")
    weight = sum(sizes)
    print(f"dashboard first load: {weight} bytes in {len(sizes)} responses")
    assert weight < PAGE_BUDGET, f"first load {weight} bytes"
    assert page.locator("svg.chart").count() >= 3
    shot(page, "1-county")

    page.get_by_test_id(f"unit-{TOWNSHIP_A}").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/{TOWNSHIP_A}/$"))
    expect(page.get_by_test_id("figure-children")).to_contain_text("2")
    shot(page, "2-township")

    page.get_by_test_id(f"unit-{A1}").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/{A1}/$"))
    page.get_by_test_id("figure-left_behind").click()
    expect(page).to_have_url(re.compile(r"/children/\?.*category=left_behind"))
    page.get_by_role("link", name="王小红").first.click()
    expect(page).to_have_url(re.compile(r"/children/\d+/$"))
    expect(page.locator("main h1")).to_contain_text("王小红")
    shot(page, "3-child")

    phone = login(new_page(PHONE), "township_officer")
    phone.goto("/dashboard/")
    expect(phone).to_have_url(re.compile(rf"/dashboard/{TOWNSHIP_A}/$"))
    fits(phone, PHONE["width"])
    shot(phone, "4-township-phone")
    response = phone.goto(f"/dashboard/{TOWNSHIP_B}/")
    assert response.status == 404
    shot(phone, "5-other-township-404")


def test_the_compliance_page_shows_the_kept_figures_by_township(
    new_page, login, shot, world, county_officer, expect
):
    """The county's compliance page reads the kept figures, as the dashboard does: it says
    how old they are, and its township rows add up to the county's."""
    import datetime as dt

    from django.utils import timezone

    from .conftest import DESKTOP

    long_ago = timezone.localdate() - dt.timedelta(days=90)
    make_child(world["a1"], "王小明", dibao=True, registered_on=long_ago)  # never visited
    make_child(world["b1"], "张小红", sex="F")
    refresh_all()
    page = login(new_page(DESKTOP), "county_officer")
    page.goto(f"/care/compliance/{world['county'].code}/")
    expect(page.get_by_test_id("data-age")).to_contain_text("由 3 个村的数据汇总")
    units = page.get_by_test_id("compliance-units")
    expect(units).to_contain_text("城关镇")
    expect(units).to_contain_text("阚疃镇")
    expect(page.get_by_test_id("special-overdue")).to_have_text("1")
    shot(page, "compliance-county")
