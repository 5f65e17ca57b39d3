"""A stale save on a 360 px phone: two people open the same activity (or organisation), the
first saves, the second is told to reload and nothing of theirs is written."""

import datetime as dt
import re

import pytest

from care.services import record_activity
from social.services import add_organisation

pytestmark = pytest.mark.browser

WIDTH = 360
STALE = "其他人已修改了这条记录"


def _both_open(new_page, login, url, first, second):
    pages = []
    for username in (first, second):
        page = new_page({"width": WIDTH, "height": 740})
        login(page, username)
        page.goto(url)
        pages.append(page)
    return pages


def _second_save_refused(pages, field, values, refusal, expect):
    """The first page saves values[0] in `field` and lands on the list; the second, saving
    values[1], is told to reload (in the element `refusal`). The second page."""
    first, second = pages
    listed = re.sub(r"\d+/edit/$", "", first.url)  # the edit page's list
    first.locator(f"#id_{field}").fill(values[0])
    first.get_by_test_id("save").click()
    expect(first).to_have_url(re.compile(re.escape(listed) + "$"))

    second.locator(f"#id_{field}").fill(values[1])
    second.get_by_test_id("save").click()
    expect(second.get_by_test_id(refusal)).to_contain_text(STALE)
    return second


def test_the_second_of_two_activity_corrections_is_refused_on_a_phone(
    new_page, login, shot, fits, expect, world, director, township_officer
):
    activity = record_activity(
        director,
        {"home": world["home_a1"], "held_on": dt.date.today(), "theme": "arts", "adults": 1},
        [],
        [],
    )
    url = f"/care/activities/{activity.pk}/edit/"
    pages = _both_open(new_page, login, url, "director", "township_officer")
    values = ("讲安全知识", "做手工")
    second = _second_save_refused(pages, "description", values, "activity-form", expect)
    fits(second, WIDTH)
    shot(second, "activity-refused")
    activity.refresh_from_db()
    assert activity.description == "讲安全知识"


def test_the_second_of_two_organisation_changes_is_refused_on_a_phone(
    new_page, login, shot, fits, expect, world, county_officer, township_officer
):
    organisation = add_organisation(county_officer, world["county"], {"name": "阳光社工站"})
    url = f"/social/organisations/{organisation.pk}/edit/"
    pages = _both_open(new_page, login, url, "county_officer", "township_officer")
    values = ("李社工", "王社工")
    second = _second_save_refused(pages, "contact_name", values, "form-error", expect)
    fits(second, WIDTH)
    shot(second, "organisation-refused")
    organisation.refresh_from_db()
    assert organisation.contact_name == "李社工"
