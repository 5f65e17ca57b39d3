"""Social forces and reports of concern in the browser: a volunteer sees only the child
paired with them and only the allowed fields (no identity number anywhere in the page
source); a neighbour files a public report on a phone; the director finds it on the
worklist, links it to the child and records action, and the child's care level changes."""

import datetime as dt
import re

import pytest

from children.models import Caregiver, Child
from social import services as social
from tests.personas import make_child

pytestmark = pytest.mark.browser

ID_NUMBER = "341623201503010014"  # a valid number (the registry refuses a wrong check character)


def test_a_volunteer_sees_only_the_paired_child(
    new_page, login, shot, fits, world, director, volunteer, expect
):
    from .conftest import PHONE

    child = make_child(world["a1"], "王小明", born=dt.date(2015, 3, 1), id_number=ID_NUMBER)
    Caregiver.objects.update_or_create(
        child=child,
        defaults={"name": "王奶奶", "relationship": "grandparent", "phone": "13900001111"},
    )
    make_child(world["a1"], "王小红")
    social.pair(
        director,
        child,
        {"helper": volunteer, "purpose": "tutoring", "started_on": dt.date(2026, 1, 1)},
    )

    page = login(new_page(PHONE), "volunteer")
    expect(page.get_by_test_id(f"paired-{child.pk}")).to_be_visible()
    assert "王小红" not in page.content()
    shot(page, "1-my-children")
    page.get_by_test_id(f"paired-{child.pk}").click()
    expect(page.get_by_test_id("helper-child")).to_contain_text("王奶奶")
    expect(page.get_by_test_id("helper-child")).to_contain_text("13900001111")
    source = page.content()
    assert ID_NUMBER not in source and ID_NUMBER[-4:] not in source and "201503" not in source
    fits(page, PHONE["width"])
    shot(page, "2-child")
    page.get_by_test_id("service-new").click()
    page.locator("select[name=kind]").select_option("tutoring")
    page.locator("input[name=minutes]").fill("60")
    page.locator("input[name=topic]").fill("数学作业")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("service-records")).to_contain_text("数学作业")
    shot(page, "3-service")
    # The registry stays closed to the volunteer.
    response = page.goto(f"/children/{child.pk}/")
    assert response.status == 404


def test_a_neighbour_reports_and_the_director_acts(
    new_page, login, shot, fits, world, director, expect
):
    from .conftest import DESKTOP, PHONE

    child = make_child(world["a1"], "王小明", father="at_home", mother="at_home")
    assert child.care_level == "ordinary"

    public = new_page(PHONE)
    public.goto("/reports/public/")
    form = public.get_by_test_id("public-report-form")
    form.locator("select[name=area]").select_option(str(world["a1"].pk))
    form.locator("input[name=place]").fill("王庄村东头")
    form.locator("input[name=situation][value=abandoned]").check()
    form.locator("textarea[name=description]").fill("孩子一个人在家好几天了，没有大人照看。")
    form.locator("input[name=urgency][value=immediate]").check()
    form.locator("input[name=child_name]").fill("王小明")
    fits(public, PHONE["width"])
    shot(public, "1-public-form")
    form.get_by_test_id("submit").click()
    expect(public.get_by_test_id("thanks")).to_be_visible()
    shot(public, "2-thanks")

    page = login(new_page(DESKTOP), "director")
    inbox = page.get_by_test_id("concerns-inbox")
    expect(inbox).to_contain_text("王庄村")
    shot(page, "3-worklist")
    inbox.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    page.get_by_test_id(f"link-{child.pk}").click()
    expect(page.get_by_test_id("linked-child")).to_contain_text("王小明")
    page.get_by_test_id("advance-form").locator("select[name=state]").select_option("action_taken")
    page.get_by_test_id("advance-form").locator("select[name=referral]").select_option(
        "guardianship"
    )
    page.get_by_test_id("advance-form").locator("textarea[name=note]").fill(
        "已上门，联系父亲回乡。"
    )
    page.get_by_test_id("advance").click()
    expect(page.get_by_test_id("state")).to_contain_text(re.compile("已处置|action taken"))
    shot(page, "4-report")
    child = Child.objects.get(pk=child.pk)
    assert child.care_level == "special" and child.needs_report
    page.goto(f"/children/{child.pk}/")
    expect(page.get_by_text(re.compile("重点关注|special attention")).first).to_be_visible()
    shot(page, "5-child")
