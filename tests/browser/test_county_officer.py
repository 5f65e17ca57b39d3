"""The county officer at a 1280 px desktop: drill-down, responsibility, gaps, audit log."""

import re

import pytest
from django.urls import reverse

from tests.personas import A1, COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.browser

AREAS = re.compile(r"^(Areas|辖区)$")
AUDIT_LOG = re.compile(r"^(Audit log|审计日志)$")


def test_county_officer_drills_down_to_a_village_and_opens_the_matrix_gaps_and_audit_log(
    desktop_page, login, shot, world, county_officer, expect
):
    page = desktop_page
    login(page, "county_officer")
    expect(page.get_by_test_id("summary")).to_be_visible()
    shot(page, "1-home")

    page.locator("nav.main").get_by_role("link", name=AREAS).click()
    expect(page).to_have_url(re.compile(rf"/areas/{COUNTY}/$"))
    subareas = page.get_by_test_id("subareas")
    expect(subareas.get_by_role("link", name="阚疃镇")).to_be_visible()
    shot(page, "2-county")

    subareas.get_by_role("link", name="城关镇").click()
    expect(page).to_have_url(re.compile(rf"/areas/{TOWNSHIP_A}/$"))
    expect(page.locator("main h1")).to_contain_text("城关镇")
    subareas = page.get_by_test_id("subareas")
    expect(subareas.get_by_role("link", name="李楼村")).to_be_visible()
    expect(subareas).not_to_contain_text("张寨村")  # a village of the other township
    shot(page, "3-township")

    subareas.get_by_role("link", name="王庄村").click()
    expect(page).to_have_url(re.compile(rf"/areas/{A1}/$"))
    expect(page.locator("main h1")).to_contain_text("王庄村")
    expect(page.locator(".crumbs")).to_contain_text("城关镇")
    shot(page, "4-village")

    page.locator(f'main a[href="{reverse("people:responsibility", args=[A1])}"]').click()
    expect(page).to_have_url(re.compile(rf"/responsibility/{A1}/$"))
    expect(page.get_by_test_id(f"matrix-{A1}")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text("王庄村")
    shot(page, "5-matrix")

    page.locator(f'nav.main a[href="{reverse("villagefiles:gaps")}"]').click()
    expect(page).to_have_url(re.compile(r"/files/gaps/$"))
    without_director = page.get_by_test_id("gap-villages_without_director")
    for village in ["王庄村", "李楼村", "张寨村"]:
        expect(without_director).to_contain_text(village)
    shot(page, "6-gap-report")
    page.locator(f'main a[href="{reverse("people:gaps")}"]').click()
    expect(page).to_have_url(re.compile(r"/areas/gaps/$"))
    gaps = page.get_by_test_id("gaps")
    # No village has a director in this world, so all three are listed.
    for village in ["王庄村", "李楼村", "张寨村"]:
        expect(gaps.get_by_role("link", name=village)).to_be_visible()
    shot(page, "7-gaps")

    page.locator("nav.main").get_by_role("link", name=AUDIT_LOG).click()
    expect(page).to_have_url(re.compile(r"/audit/$"))
    # The action is written in words (登录 "logged in"), not as its code.
    login_cell = page.locator("td", has_text=re.compile(r"^(登录|logged in)$"))
    login_row = page.locator("main tr", has=login_cell)
    expect(login_row.first).to_be_visible()
    expect(login_row.first).to_contain_text("county_officer")
    shot(page, "8-audit-log")
