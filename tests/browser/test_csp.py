"""The Content Security Policy holds in a real browser (issue 13, point 9): the pages with
htmx, forms, charts and the API's Swagger UI work with no inline script or style, and the
browser refuses nothing (the new_page fixture fails the test on any refusal). The browsable
API's pages are the one place inline style is allowed (core.security.BrowsableAPIRenderer)."""

import re

import pytest
from django.urls import reverse

from tests.personas import make_child

pytestmark = pytest.mark.browser


def test_pages_and_the_api_docs_work_under_the_policy(
    desktop_page, login, shot, world, county_officer, expect
):
    make_child(world["a1"], "王小明")
    page = desktop_page
    page.goto(reverse("concerns:public"))
    expect(page.get_by_test_id("public-report-form")).to_be_visible()
    login(page, "county_officer")
    for url in (reverse("home"), reverse("children:roster"), reverse("care:activities")):
        response = page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator("main h1")).to_be_visible()
    # htmx still swaps the roster's table (its filters post no inline code).
    page.goto(reverse("children:roster"))
    expect(page.locator("#results")).to_contain_text("王小明")
    search = page.locator("form.filters input[type=search]").first
    search.fill("没有这个孩子")
    search.press("Enter")
    expect(page.locator("#results")).not_to_contain_text("王小明")
    page.goto(reverse("api_docs"))
    # The schema is generated on request: give it time on a loaded machine.
    title = page.locator(".swagger-ui .info .title")
    expect(title).to_contain_text(re.compile("Shouhu API"), timeout=60_000)
    shot(page, "api-docs")
    # The browsable API (its inline layout styles are allowed there only).
    page.goto("/api/v1/children/")
    expect(page.locator(".response-info")).to_contain_text("王小明")
