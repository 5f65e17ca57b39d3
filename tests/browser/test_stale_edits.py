"""A stale save on a 360 px phone: two people open the same activity (or organisation), the
first saves, the second is told to reload and nothing of theirs is written."""

import re

import pytest

from tests.personas import make_activity, make_organisation

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


def _second_save_refused(pages, field, values, refusal, expect, save_form):
    """The first page saves values[0] in `field` and lands on the list; the second, saving
    values[1], is told to reload (in the element `refusal`). The second page."""
    first, second = pages
    listed = re.sub(r"\d+/edit/$", "", first.url)  # the edit page's list
    first.locator(f"#id_{field}").fill(values[0])
    save_form(first, first, re.escape(listed) + "$")

    second.locator(f"#id_{field}").fill(values[1])
    second.get_by_test_id("save").click()
    expect(second.get_by_test_id(refusal)).to_contain_text(STALE)
    return second


# Each record: how to make it (by the first user), its edit page, the two users who open it,
# the field they change, their two values and the element that shows the refusal.
KINDS = {
    "activity": (
        make_activity,
        "/care/activities/{}/edit/",
        ("director", "township_officer"),
        ("description", ("讲安全知识", "做手工")),
        "activity-form",
    ),
    "organisation": (
        lambda world, county_officer: make_organisation(world, county_officer, "阳光社工站"),
        "/social/organisations/{}/edit/",
        ("county_officer", "township_officer"),
        ("contact_name", ("李社工", "王社工")),
        "form-error",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_second_of_two_changes_is_refused_on_a_phone(
    new_page, login, expect, request, world, kind, fitted_shot, save_form
):
    make, url, users, (field, values), refusal = KINDS[kind]
    first_user, _second_user = (request.getfixturevalue(name) for name in users)
    record = make(world, first_user)
    pages = _both_open(new_page, login, url.format(record.pk), *users)
    second = _second_save_refused(pages, field, values, refusal, expect, save_form)
    fitted_shot(second, WIDTH, f"{kind}-refused")
    record.refresh_from_db()
    assert getattr(record, field) == values[0]
