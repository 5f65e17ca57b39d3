"""A village child protection director on a 360 px phone: pages, scoping, editing, logout."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.personas import A1, B1

pytestmark = pytest.mark.browser

WIDTH = 360
AREAS = re.compile(r"^(Areas|辖区)$")
HOMES = re.compile(r"^(Children's homes|儿童之家)$")
EDIT = re.compile(r"^(Edit|编辑)$")


def nav(page, name):
    """A menu entry; a director's short menu has the others behind "more" (opened first)."""
    link = page.locator("nav.main").get_by_role("link", name=name)
    if not link.is_visible():
        page.get_by_test_id("menu-more").locator("summary").click()
    return link


def test_director_on_a_phone_sees_the_worklist_their_village_and_its_home_without_sideways_scroll(
    phone_page, login, world, director, expect, fitted_shot
):
    page = phone_page
    page.goto("/accounts/login/")
    fitted_shot(page, WIDTH, "1-login")

    login(page, "director")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("worklist-counts")).to_be_visible()  # home: the worklist
    expect(page.get_by_test_id("who")).to_contain_text("王庄村")
    fitted_shot(page, WIDTH, "2-home")

    nav(page, AREAS).click()
    expect(page).to_have_url(re.compile(rf"/areas/{A1}/$"))
    expect(page.locator("main h1")).to_contain_text("王庄村")
    fitted_shot(page, WIDTH, "3-area")

    nav(page, HOMES).click()
    expect(page).to_have_url(re.compile(r"/homes/$"))
    home_link = page.locator("main").get_by_role("link", name="王庄村儿童之家")
    expect(home_link).to_be_visible()
    # The director sees only their own village's home, not the one in 张寨村.
    expect(page.locator("main")).not_to_contain_text("张寨村")
    fitted_shot(page, WIDTH, "4-homes")

    home_link.click()
    expect(page).to_have_url(re.compile(rf"/homes/{world['home_a1'].pk}/$"))
    expect(page.locator("main h1")).to_have_text("王庄村儿童之家")
    fitted_shot(page, WIDTH, "5-home-detail")


def test_director_gets_the_not_found_page_for_another_villages_area_and_home(
    phone_page, login, shot, world, director, expect
):
    page = phone_page
    login(page, "director")

    # Control: the director's own pages answer 200, so the 404s below are about scope.
    assert page.goto(f"/areas/{A1}/").status == 200
    assert page.goto(f"/homes/{world['home_a1'].pk}/").status == 200

    other_home = world["home_b1"].pk
    for step, url in [
        ("1-other-area", f"/areas/{B1}/"),
        ("2-other-home", f"/homes/{other_home}/"),
        ("3-other-home-edit", f"/homes/{other_home}/edit/"),
    ]:
        response = page.goto(url)
        assert response.status == 404, f"{url} answered {response.status}"
        # The site's own 404 page (inside the layout, user still logged in), not a bare error.
        expect(page.locator("main .card.empty h1")).to_be_visible()
        expect(page.get_by_test_id("logout")).to_be_visible()
        # Nothing of the other village leaks into the page.
        expect(page.locator("body")).not_to_contain_text("张寨村")
        shot(page, step)


def test_director_on_a_phone_sees_a_field_error_for_a_negative_floor_area_then_saves_a_valid_one(
    phone_page, login, world, director, expect, fitted_shot
):
    page = phone_page
    home = world["home_a1"]
    login(page, "director")
    page.goto(f"/homes/{home.pk}/")

    page.locator("main").get_by_role("link", name=EDIT).click()
    expect(page).to_have_url(re.compile(rf"/homes/{home.pk}/edit/$"))
    floor_area = page.locator("input[name=floor_area_m2]")
    expect(floor_area).to_have_value("40.0")
    fitted_shot(page, WIDTH, "1-form")

    floor_area.fill("-5")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    field = page.locator(".field", has=page.locator("input[name=floor_area_m2]"))
    error = field.get_by_test_id("error-floor_area_m2")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    # Only that field is in error, and nothing was saved.
    expect(page.locator("[data-testid^=error-]")).to_have_count(1)
    home.refresh_from_db()
    assert home.floor_area_m2 == Decimal("40.0")
    fitted_shot(page, WIDTH, "2-error")

    page.locator("input[name=floor_area_m2]").fill("55.5")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/homes/{home.pk}/$"))
    expect(page.locator("main .messages")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("55.5")
    home.refresh_from_db()
    assert home.floor_area_m2 == Decimal("55.5")
    fitted_shot(page, WIDTH, "3-saved")


def test_logging_out_returns_to_the_login_page(phone_page, login, shot, world, director, expect):
    page = phone_page
    login(page, "director")
    shot(page, "1-logged-in")

    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"$"))
    expect(page.locator("main form input[name=password]")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    shot(page, "2-logged-out")

    # The session is really gone: the home page sends us back to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next=/$"))
