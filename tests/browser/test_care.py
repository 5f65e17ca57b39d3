"""Care work on a 360 px phone: the director's home is the worklist; one tap opens the
visit form; an urgent safety finding raises the care level and flags a report."""

import re

import pytest

from children.models import Child
from tests.personas import make_child

pytestmark = pytest.mark.browser

WIDTH = 360


def test_director_visits_a_child_from_the_worklist_on_a_phone(
    phone_page, login, shot, world, director, expect, fitted_shot, save_form
):
    child = make_child(world["a1"], "王小明")
    page = phone_page
    login(page, "director")
    due = page.get_by_test_id("due-soon")
    expect(due).to_contain_text("王小明")
    fitted_shot(page, WIDTH, "1-worklist")

    page.get_by_test_id(f"visit-{child.pk}").click()
    expect(page).to_have_url(re.compile(rf"/care/children/{child.pk}/visit/$"))
    form = page.get_by_test_id("visit-form")
    form.locator("input[name=safety][value=urgent]").check()
    form.locator("#id_safety_note").fill("孩子独自在家，无人照看")
    fitted_shot(page, WIDTH, "2-visit-form")
    save_form(page, form, r"/care/worklist/$")
    expect(page.locator(".messages")).to_contain_text("关爱等级")
    expect(page.get_by_test_id("due-soon")).to_contain_text("须立即报告")
    fitted_shot(page, WIDTH, "3-after-visit")

    page.goto(f"/children/{child.pk}/")
    expect(page.get_by_test_id("care-level")).to_have_text("重点关注")
    expect(page.get_by_test_id("report-flag")).to_contain_text("独自在家")
    shot(page, "4-child-flagged")
    child.refresh_from_db()
    assert child.needs_report and child.care_level == "special"
    assert Child.objects.get(pk=child.pk).visits.count() == 1
