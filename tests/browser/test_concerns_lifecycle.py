"""A concern's life cycle on a 360 px phone (issue 12, points 2 and 12): a concern raised at a
visit puts the child at special attention; the director resolves it with an outcome and the
child returns to ordinary, with the reason in the child's history."""

import re

import pytest

from children.models import Child, Concern
from tests.personas import make_child

pytestmark = pytest.mark.browser

WIDTH = 360


def test_a_concern_raised_at_a_visit_is_resolved_and_the_child_returns_to_ordinary(
    phone_page, login, world, director, expect, fitted_shot, save_form
):
    child = make_child(world["a1"], "王小明")
    assert child.care_level == "ordinary"
    page = phone_page
    login(page, "director")

    # A visit finds a concern (homework without help): the child is raised to special attention.
    page.get_by_test_id(f"visit-{child.pk}").click()
    form = page.get_by_test_id("visit-form")
    form.locator("input[name=study][value=concern]").check()
    form.locator("#id_study_note").fill("成绩下滑，放学后作业无人辅导")
    save_form(page, form, r"/care/worklist/$")
    concern = Concern.objects.get(child=child)
    expect(page.get_by_test_id("worklist-concerns")).to_contain_text("王小明")
    fitted_shot(page, WIDTH, "1-worklist-with-concern")

    page.goto(f"/children/{child.pk}/")
    expect(page.get_by_test_id("care-level")).to_have_text("重点关注")
    row = page.get_by_test_id(f"concern-{concern.pk}")
    expect(row).to_contain_text("作业无人辅导")
    expect(row.get_by_test_id("concern-state")).to_have_text("待处理")
    fitted_shot(page, WIDTH, "2-child-special-with-open-concern")

    # Resolving needs a written outcome: an empty one is refused next to the field.
    row.get_by_test_id(f"step-resolve-{concern.pk}").click()
    expect(page).to_have_url(re.compile(rf"/children/concerns/{concern.pk}/resolve/"))
    step = page.get_by_test_id("step-form")
    step.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id("error-outcome")).to_be_visible()
    fitted_shot(page, WIDTH, "3-outcome-required")

    page.get_by_test_id("step-form").locator("#id_outcome").fill(
        "已联系村小学老师，每天放学后在儿童之家辅导作业"
    )
    page.get_by_test_id("step-form").get_by_test_id("step-submit").click()

    # Back on the child's page: ordinary again, and the history says why.
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    expect(page.get_by_test_id("care-level")).to_have_text("一般")
    expect(page.get_by_test_id("open-concerns-empty")).to_be_visible()
    latest = page.get_by_test_id("history-entry").first
    expect(latest).to_contain_text("风险事项已办结：已联系村小学老师")
    expect(latest).to_contain_text("重点关注")
    fitted_shot(page, WIDTH, "4-child-ordinary-with-reason")

    child = Child.objects.get(pk=child.pk)
    concern.refresh_from_db()
    assert child.care_level == "ordinary" and concern.state == "resolved"
    assert concern.closed_by == director


def test_the_township_supervisor_sees_open_concerns_by_age_and_confirms_an_urgent_closing(
    phone_page, login, world, director, township_officer, expect, fitted_shot
):
    import datetime as dt

    from django.utils import timezone

    from children.services import concerns as services

    today = timezone.localdate()
    urgent = services.open_concern(
        director, make_child(world["a1"], "王小明"), "独自在家，无人照看", source="visit",
        urgency="urgent", safety=True,
    )  # fmt: skip
    old = services.open_concern(
        director, make_child(world["a2"], "李小红"), "辍学在家", source="visit"
    )
    Concern.objects.filter(pk=old.pk).update(
        opened_on=today - dt.timedelta(days=40), due_on=today - dt.timedelta(days=10)
    )
    services.resolve(director, urgent, "父亲已返乡照料，每周回访")

    page = phone_page
    login(page, "township_officer")
    inbox = page.get_by_test_id("concern-inbox")
    expect(inbox.get_by_test_id("concerns-over30")).to_contain_text("1")
    expect(inbox.get_by_test_id("concerns-overdue")).to_contain_text("1")
    expect(inbox.get_by_test_id("concern-units")).to_contain_text("王庄村")
    fitted_shot(page, WIDTH, "1-township-home")

    page.goto(f"/children/concerns/{urgent.pk}/")
    expect(page.get_by_test_id("concern-state")).to_have_text("待督导员确认")
    fitted_shot(page, WIDTH, "2-awaiting-confirmation")
    page.get_by_test_id("step-confirm").click()
    page.get_by_test_id("step-form").get_by_test_id("step-submit").click()
    expect(page).to_have_url(re.compile(rf"/children/concerns/{urgent.pk}/$"))
    expect(page.get_by_test_id("concern-state")).to_have_text("已办结")
    fitted_shot(page, WIDTH, "3-confirmed")
    urgent.refresh_from_db()
    assert urgent.state == "resolved" and urgent.confirmed_by == township_officer
