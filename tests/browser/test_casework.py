"""Casework in the browser (issue 16): a director on a phone sees on an orphan's page what the
child's situation calls for (the eligibility check, with the link to apply) and the case plan
with a referral waiting for an answer; the county officer finds a child registered twice in
the likely duplicates and merges the two records, the visits moving to the one kept."""

import datetime as dt

import pytest
from django.urls import reverse

from care.services import record_visit
from children.models import Child
from referrals import services as referrals
from relief.catalogue import ensure_catalogue
from tests.personas import make_child

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def test_a_director_sees_what_an_orphans_situation_calls_for_and_the_case_plan(
    new_page, login, world, director, expect, fitted_shot
):
    ensure_catalogue(world["county"])
    orphan = make_child(world["a1"], "孤小明", father="deceased", mother="deceased")
    referral = referrals.refer(
        director, orphan, {"kind": "school", "reason": "请学校安排课后看护。"}
    )
    page = login(new_page(PHONE), "director")
    page.goto(reverse("children:detail", args=[orphan.pk]))
    eligibility = page.get_by_test_id("eligibility")
    expect(eligibility.get_by_test_id("unmet-orphan_without_allowance")).to_be_visible()
    plan = page.get_by_test_id("case-plan")
    expect(plan.get_by_test_id(f"plan-referral-{referral.pk}")).to_contain_text(
        "请学校安排课后看护"
    )
    eligibility.scroll_into_view_if_needed()
    fitted_shot(page, PHONE["width"], "1-orphan-eligibility-and-plan")
    # The line's link opens the application form with the orphan allowance chosen.
    eligibility.get_by_test_id("apply-orphan_without_allowance").click()
    chosen = page.locator("select[name=programme] option:checked")
    expect(chosen).to_contain_text("孤儿基本生活费（社会散居）")
    fitted_shot(page, PHONE["width"], "2-apply-with-the-programme-chosen")


def test_the_county_officer_merges_a_child_registered_twice(
    new_page, login, world, director, other_director, county_officer, expect, shot
):
    born = dt.date(2017, 3, 8)
    kept = make_child(world["a1"], "李小花", born=born)
    twice = make_child(world["b1"], "李小花", born=born)
    record_visit(other_director, twice, {"visited_on": dt.date.today()})
    page = login(new_page(DESKTOP), "county_officer")
    page.goto(reverse("registry:duplicate_list"))
    pairs = page.get_by_test_id("duplicates")
    expect(pairs).to_contain_text("李小花")
    shot(page, "1-likely-duplicates")
    pairs.get_by_role("link").first.click()
    expect(page.get_by_test_id("reasons")).to_be_visible()
    page.locator(f"input[name=keep][value='{kept.pk}']").check()
    page.locator("input[name=confirm]").check()
    shot(page, "2-the-pair")
    with page.expect_navigation():
        page.get_by_role("button", name="合并").click()
    expect(page).to_have_url(reverse("children:detail", args=[kept.pk]))
    shot(page, "3-kept-record")
    twice = Child.objects.get(pk=twice.pk)
    assert twice.status == "closed" and twice.merged_into_id == kept.pk
    assert kept.visits.count() == 1
