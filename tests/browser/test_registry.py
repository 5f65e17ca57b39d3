"""The child registry in a browser: a director registers a child on a phone, sees the
classification and its reasons, changes the caregiver's assessment and sees the care level
and the history change; a township officer imports a LibreOffice file with one bad row and
sees the report, and that nothing was saved."""

import re
from pathlib import Path

import pytest

from children.models import Child

from .conftest import fill_child

pytestmark = pytest.mark.browser

WIDTH = 360
FIXTURES = Path(__file__).resolve().parents[2] / "children" / "tests" / "fixtures"


def test_director_registers_a_child_and_sees_the_care_level_follow_the_caregiver(
    phone_page, login, shot, world, director, expect, fitted_shot, save_form
):
    page = phone_page
    login(page, "director")
    page.goto("/children/")
    expect(page.get_by_test_id("register")).to_be_visible()
    shot(page, "1-empty-roster")
    page.get_by_test_id("register").click()
    expect(page).to_have_url(re.compile(r"/children/new/$"))

    form = page.get_by_test_id("child-form")
    fill_child(form)
    form.locator("#id_schooling").select_option("primary")
    form.locator("#id_father-name").fill("王大山")
    form.locator("#id_father-status").select_option("migrant")
    form.locator("#id_father-work_province").fill("浙江")
    form.locator("#id_father-work_city").fill("杭州")
    form.locator("#id_mother-status").select_option("migrant")
    form.locator("#id_mother-work_province").fill("江苏")
    form.locator("#id_caregiver-name").fill("李秀英")
    form.locator("#id_caregiver-relationship").select_option("grandparent")
    form.locator("#id_caregiver-assessment").select_option("good")
    fitted_shot(page, WIDTH, "2-form")
    save_form(page, form, r"/children/\d+/$")
    expect(page.get_by_test_id("categories")).to_contain_text("留守儿童")
    expect(page.get_by_test_id("reasons")).to_contain_text("父母双方外出")
    expect(page.get_by_test_id("reasons")).to_contain_text("浙江 杭州")
    expect(page.get_by_test_id("care-level")).to_have_text("一般")
    fitted_shot(page, WIDTH, "3-registered")

    page.get_by_test_id("edit").click()
    page.locator("#id_caregiver-assessment").select_option("poor")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("care-level")).to_have_text("重点关注")
    expect(page.get_by_test_id("reasons")).to_contain_text("监护情况评估为差")
    history = page.get_by_test_id("history-entry").first
    expect(history).to_contain_text("监护情况评估")
    expect(history).to_contain_text("较好")
    expect(history).to_contain_text("差")
    fitted_shot(page, WIDTH, "4-care-level-raised")
    assert Child.objects.get().care_level == "special"

    # The same director imports their village's roster, saved by LibreOffice, with one bad
    # row: the report names the row and nothing is saved.
    page.goto("/children/")
    page.get_by_test_id("import").click()
    page.locator("input[type=file]").set_input_files(str(FIXTURES / "roster_village_bad_row.xlsx"))
    page.get_by_test_id("import-form").locator("button[type=submit]").click()
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("3行中有1行有错误，未保存任何数据")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr").first).to_contain_text("校验码错误")
    fitted_shot(page, WIDTH, "5-import-report")
    page.goto("/children/")
    expect(page.get_by_test_id("roster").locator("tbody tr")).to_have_count(1)
    shot(page, "6-roster-unchanged")
    assert Child.objects.count() == 1


def test_township_officer_imports_a_file_with_one_bad_row_and_nothing_is_saved(
    desktop_page, login, shot, world, township_officer, expect
):
    page = desktop_page
    login(page, "township_officer")
    page.goto("/children/")
    page.get_by_test_id("import").click()
    expect(page).to_have_url(re.compile(r"/children/import/$"))
    page.locator("input[type=file]").set_input_files(
        str(FIXTURES / "roster_libreoffice_bad_row.xlsx")
    )
    shot(page, "1-upload")
    page.get_by_test_id("import-form").locator("button[type=submit]").click()

    report = page.get_by_test_id("import-report")
    expect(report).to_be_visible()
    expect(report).to_contain_text("5行中有1行有错误，未保存任何数据")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr").first).to_contain_text("5")
    expect(report.locator("tbody tr").first).to_contain_text("公民身份号码")
    expect(report.locator("tbody tr").first).to_contain_text("校验码错误")
    shot(page, "2-report")

    page.goto("/children/")
    expect(page.locator("main")).to_contain_text("没有符合条件的儿童")
    shot(page, "3-still-empty")
    assert not Child.objects.exists()
