"""The officers' pages of social forces and reports of concern in a browser, at desktop and
phone width: organisations, helpers, pairing, a service record, a change, the county's
summary and the e-mail preferences (screenshots for a person to look at)."""

import datetime as dt

import pytest

from social import services as social
from social.models import HelperProfile, Organisation
from tests.personas import make_child

pytestmark = pytest.mark.browser


def test_officer_pages_render_and_fit(
    new_page, login, shot, fits, world, county_officer, director, volunteer, expect
):
    from .conftest import DESKTOP, PHONE

    child = make_child(world["a1"], "王小明")
    organisation = Organisation.objects.create(
        county=world["county"], name="阳光社工站", services=["counselling"], contact_name="李主任"
    )
    organisation.areas.set([world["a"]])
    HelperProfile.objects.create(user=volunteer, organisation=organisation, skills=["tutoring"])
    social.pair(
        director,
        child,
        {"helper": volunteer, "purpose": "tutoring", "started_on": dt.date(2026, 1, 1)},
    )

    page = login(new_page(DESKTOP), "county_officer")
    for path, testid, step in (
        ("/social/organisations/", "organisations", "1-organisations"),
        ("/social/helpers/", "helpers", "2-helpers"),
        (f"/reports/summary/{world['county'].code}/", "summary-social", None),
        ("/care/notifications/preferences/", "preference-form", "4-preferences"),
    ):
        page.goto(path)
        if testid == "summary-social":
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            shot(page, "3-summary")
        else:
            expect(page.get_by_test_id(testid)).to_be_visible()
            shot(page, step)

    phone = login(new_page(PHONE), "director")
    for path, testid, step in (
        (f"/social/children/{child.pk}/pair/", "pair-form", "5-pair"),
        (f"/social/children/{child.pk}/services/new/", "service-form", "6-service"),
        (f"/reports/changes/{child.pk}/", "change-form", "7-change"),
        (f"/social/children/{child.pk}/", "social-section", "8-child-social"),
    ):
        phone.goto(path)
        expect(phone.get_by_test_id(testid)).to_be_visible()
        fits(phone, PHONE["width"])
        shot(phone, step)
