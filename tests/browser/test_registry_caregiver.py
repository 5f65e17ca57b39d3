"""Nothing typed is lost, in a browser at 360 px (issue 12, points 6 and 12): a director fills
the new-child form including the caregiver section (no box to tick), saves, and the child's
page shows the caregiver; fields become marked as required as the answers call for them; a
failed save shows a summary of the errors at the top and puts the focus on the first one."""

import re

import pytest

from children.models import Caregiver, Child

from .conftest import fill_child

pytestmark = pytest.mark.browser

WIDTH = 360
REQUIRED = re.compile(r"\bis-required\b")


def label_of(page, field_id):
    return page.locator(f".field:has(#{field_id})")


def _required_after(expect, page, field_id, answer):
    """The field's label is marked as required once `answer()` is given, and not before."""
    label = label_of(page, field_id)
    expect(label).not_to_have_class(REQUIRED)
    answer()
    expect(label).to_have_class(REQUIRED)


def _new_child_form(page, login, sex):
    """The director's new-child form with the child's name, sex, birth date and ID number."""
    login(page, "director")
    page.goto("/children/new/")
    form = page.get_by_test_id("child-form")
    fill_child(form, sex)
    return form


def test_a_caregiver_typed_into_the_new_child_form_is_saved(
    phone_page, login, world, director, expect, fitted_shot, save_form
):
    page = phone_page
    form = _new_child_form(page, login, "M")
    form.locator("#id_schooling").select_option("primary")

    # The work place becomes required once the father is a migrant worker, before saving.
    father = form.locator("#id_father-status")
    _required_after(
        expect, page, "id_father-work_province", lambda: father.select_option("migrant")
    )
    form.locator("#id_father-name").fill("王大山")
    form.locator("#id_father-work_province").fill("浙江")
    form.locator("#id_father-work_city").fill("杭州")
    # Imprisonment asks for the date from which the six months run.
    form.locator("#id_mother-status").select_option("imprisoned")
    expect(label_of(page, "id_mother-status_since")).to_have_class(re.compile(r"\bis-asked\b"))
    form.locator("#id_mother-status").select_option("migrant")
    expect(label_of(page, "id_mother-status_since")).not_to_have_class(re.compile(r"\bis-asked\b"))
    form.locator("#id_mother-work_province").fill("江苏")

    # Starting the caregiver section marks its name as required.
    phone = form.locator("#id_caregiver-phone")
    _required_after(expect, page, "id_caregiver-name", lambda: phone.fill("13800000000"))
    # (The age first: a number field left focused makes Chromium drop the first click after
    # a full-page screenshot.)
    form.locator("#id_caregiver-age").fill("66")
    form.locator("#id_caregiver-name").fill("李秀英")
    form.locator("#id_caregiver-relationship").select_option("grandparent")
    form.locator("#id_caregiver-assessment").select_option("good")
    form.get_by_test_id("caregiver-fields").scroll_into_view_if_needed()
    fitted_shot(page, WIDTH, "1-form-with-caregiver")
    save_form(page, form, r"/children/\d+/$")
    caregiver = page.get_by_test_id("caregiver")
    expect(caregiver).to_contain_text("李秀英")
    expect(caregiver).to_contain_text("祖父母")
    expect(caregiver).to_contain_text("13800000000")
    fitted_shot(page, WIDTH, "2-child-page-shows-the-caregiver")
    assert Caregiver.objects.get(child=Child.objects.get()).name == "李秀英"


def test_a_failed_save_summarises_the_errors_at_the_top_and_focuses_the_first(
    phone_page, login, shot, fits, world, director, expect
):
    page = phone_page
    form = _new_child_form(page, login, "F")  # the ID number is a boy's
    form.locator("#id_father-status").select_option("migrant")  # no work province
    form.locator("#id_mother-status").select_option("at_home")
    form.locator("#id_caregiver-phone").fill("13800000000")  # a caregiver without a name
    form.get_by_test_id("save").click()

    summary = page.get_by_test_id("summary-of-errors")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("未保存。请修改以下各项")
    expect(summary.locator("li")).to_have_count(4)  # sex, work province, caregiver × 2
    expect(summary).to_contain_text("身份证号")  # the sex error says what the number gives
    expect(summary).to_contain_text("受委托监护人")
    # The summary is the form's first element: at the top of the page.
    first = page.evaluate(
        "() => document.querySelector('[data-testid=child-form] > :not(input)')"
        ".getAttribute('data-testid')"
    )
    assert first == "summary-of-errors"
    # The focus is on the first field in error, and the page scrolled to it.
    expect(page.locator("#id_sex")).to_be_focused()
    # What was typed is still there.
    expect(page.locator("#id_caregiver-phone")).to_have_value("13800000000")
    expect(label_of(page, "id_caregiver-name")).to_have_class(REQUIRED)
    fits(page, WIDTH)
    # What the phone shows: the viewport, scrolled to the focused field.
    page.screenshot(path=str(shot(page, "1-focused-on-the-first-error")))
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "2-summary-at-the-top")

    # A link of the summary takes the user to its field.
    summary.get_by_role("link").nth(1).click()
    expect(page.locator("#id_father-work_province")).to_be_focused()
    assert not Child.objects.exists()
