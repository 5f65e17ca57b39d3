"""The main menu against the permission table: every entry a persona is shown opens for that
persona (after its redirects) and shows something they can use, and the page is in the
permission table; social workers and volunteers see exactly their own few entries. A menu
entry added later for a role that cannot use it fails here.

And no page tells a helper something false: pages that list or count an area's records say
that the account sees no area instead of "no children" or "every team is complete"."""

import re

import pytest
from django.urls import resolve, reverse

from tests.test_permissions import PERSONAS, TABLE, ctx  # noqa: F401  (ctx is a fixture)

pytestmark = pytest.mark.django_db

STAFF = [p for p in PERSONAS if p not in ("anonymous", "volunteer", "social_worker")]
HELPERS = ["volunteer", "social_worker"]
HELPER_MENU = {
    "social:my_children",
    "concerns:list",  # the reports they filed, and the way to file one
    "care:notifications",
    "social:helper_profile",
}
NO_AREA = 'data-testid="no-jurisdiction"'


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="main"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "the page has no main menu"
    return re.findall(r'href="([^"]+)"', nav.group(1))


def opened(client, url):
    """The page a menu entry leads to, after its redirects."""
    return client.get(url, follow=True)


@pytest.mark.parametrize("persona", STAFF + HELPERS)
def test_every_menu_entry_opens_for_the_persona_shown_it(client, ctx, persona):  # noqa: F811
    client.force_login(ctx[persona])
    home = opened(client, reverse("home"))
    links = menu_links(home.text)
    assert links
    for url in links:
        name = resolve(url).view_name
        assert name in TABLE, f"{url} ({name}) is not in the permission table"
        # Where the table has a row for this very address, it must let the persona in.
        for kwargs, expected in TABLE[name]:
            if reverse(name, kwargs=kwargs(ctx) if kwargs else None) == url:
                assert expected[persona] in (200, 302), f"the table refuses {url} to {persona}"
        page = opened(client, url)
        assert page.status_code == 200, f"{persona}: {url} answers {page.status_code}"
        assert NO_AREA not in page.text, f"{persona} is shown {url}, which they cannot use"


@pytest.mark.parametrize("persona", HELPERS)
def test_helpers_see_only_their_children_reports_notifications_and_profile(
    client,
    ctx,  # noqa: F811
    persona,
):
    client.force_login(ctx[persona])
    home = opened(client, reverse("home"))
    links = menu_links(home.text)
    assert {resolve(url).view_name for url in links} == HELPER_MENU
    assert reverse("social:helper_profile", args=[ctx[persona].pk]) in links


# Pages that list or count an area's records (their table row lets helpers in, 200).
AREA_PAGES = [
    "people:gaps",
    "people:person_list",
    "areas:service_point_list",
    "children:roster",
    "children:transfers",
    "care:activities",
    "rounds:list",
    "relief:catalogue",
    "relief:measure_list",
    "social:organisations",
    "social:helpers",
]


@pytest.mark.parametrize("name", AREA_PAGES)
@pytest.mark.parametrize("persona", HELPERS)
def test_area_pages_tell_helpers_they_see_no_area_instead_of_an_empty_count(
    client,
    ctx,  # noqa: F811
    persona,
    name,
):
    client.force_login(ctx[persona])
    page = client.get(reverse(name))
    assert page.status_code == 200 and NO_AREA in page.text
    assert reverse("social:my_children") in page.text.split("<main>")[1]


def test_the_gaps_page_no_longer_tells_a_volunteer_every_team_is_complete(
    client,
    ctx,  # noqa: F811
):
    client.force_login(ctx["volunteer"])
    page = client.get(reverse("people:gaps"))
    assert "完整的工作队" not in page.text
    assert "社会工作者和志愿者只能查看与自己结对的儿童" in page.text
    client.force_login(ctx["director"])
    assert NO_AREA not in client.get(reverse("people:gaps")).text
