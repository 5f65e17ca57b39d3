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
HELPER_MENU = [  # in the menu's order
    "social:my_children",
    "concerns:list",  # the reports they filed, and the way to file one
    "care:notifications",
    "social:helper_profile",
]
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
    assert {resolve(url).view_name for url in links} == set(HELPER_MENU)
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
    "applications:list",
    "applications:report",
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


# The menu as a registry (issue 14): each app declares its entries in its menu.py
# (core/menu.py); base.html names no app's URLs. Every menu below was read off base.html
# before the entries moved, for every persona: the registry must show the same entries, in
# the same order, with the same labels, and highlight the same one on every page.

# Each entry, the condition base.html gave it, and the personas that condition shows it to.
# "helper": a volunteer or social worker (people.roles.is_helper), whose menu was
# social/_menu.html; "area": the account is bound to an area (`user.area`).
AREA_STAFF = [p for p in STAFF]  # every staff persona is bound to an area
DIRECTORS = ["director", "other_director"]
NOT_DIRECTORS = [p for p in STAFF if p not in DIRECTORS]
ROOT = ["superuser"]  # no role and no area: the staff menu without area pages
VISIBILITY = {
    # URL name: (base.html's condition, who sees it)
    # A director's home is the worklist: their Worklist entry (issue 15).
    "home": ('not helper and role != "director"', NOT_DIRECTORS + ROOT),
    "stats:dashboard": ("user.area and not helper", AREA_STAFF),
    "care:worklist": ('role == "director"', DIRECTORS),
    "children:roster": ("not helper", STAFF + ROOT),
    # The county officer keeps the county's register (issue 16): duplicates and handovers.
    "registry:duplicate_list": ("registry.policy.keeps_register", ["county_officer"]),
    "registry:handover_list": ("registry.policy.keeps_register", ["county_officer"]),
    "social:my_children": ("helper", HELPERS),
    "rounds:list": ("not helper", STAFF + ROOT),
    "relief:measure_list": ("not helper", STAFF + ROOT),
    "applications:list": ("not helper", STAFF + ROOT),
    "people:area_root": ("not helper", STAFF + ROOT),
    "areas:service_point_list": ("not helper", STAFF + ROOT),
    "care:compliance_root": ('not helper and role != "director"', NOT_DIRECTORS + ROOT),
    "care:activities": ("not helper", STAFF + ROOT),
    "people:person_list": ("not helper", STAFF + ROOT),
    "concerns:list": ("everyone", STAFF + ROOT + HELPERS),
    "referrals:list": ("not helper", STAFF + ROOT),
    "care:notifications": ("helper", HELPERS),
    "social:helper_profile": ("helper", HELPERS),
    "social:helpers": ("user.area and not helper", AREA_STAFF),
    "people:responsibility_root": ("not helper", STAFF + ROOT),
    "villagefiles:village_file": ("user.area and not helper", AREA_STAFF),
    "villagefiles:gaps": ("user.area and not helper", AREA_STAFF),
    "people:gaps": ("not user.area and not helper", ROOT),
    "audit_log": ("user.can_audit (county officers)", ["county_officer"]),
    "jobs:operations": ("may_operate (county officers, the superuser)", ["county_officer", *ROOT]),
}

# (URL name, label) of every entry in today's order; each persona sees those VISIBILITY
# gives them.
ORDER = [
    ("home", "Home"),
    ("stats:dashboard", "Dashboard"),
    ("care:worklist", "Worklist"),
    ("children:roster", "Children"),
    ("registry:duplicate_list", "Likely duplicates"),
    ("registry:handover_list", "Handovers"),
    ("social:my_children", "My paired children"),
    ("rounds:list", "Rounds"),
    ("relief:measure_list", "Relief"),
    ("applications:list", "Applications"),
    ("people:area_root", "Areas"),
    ("areas:service_point_list", "Children's homes"),
    ("care:compliance_root", "Compliance"),
    ("care:activities", "Activities"),
    ("people:person_list", "People"),
    ("concerns:list", "Reports of concern"),
    ("referrals:list", "Referrals"),
    ("care:notifications", "Notifications"),
    ("social:helper_profile", "My profile"),
    ("social:helpers", "Social forces"),
    ("people:responsibility_root", "Responsibility"),
    ("villagefiles:village_file", "Village files"),
    ("villagefiles:gaps", "Gaps"),
    ("people:gaps", "Gaps"),
    ("audit_log", "Audit log"),
    ("jobs:operations", "Operations"),
]
STAFF_MENU = [
    "home",
    "stats:dashboard",
    "children:roster",
    "rounds:list",
    "relief:measure_list",
    "applications:list",
    "people:area_root",
    "areas:service_point_list",
    "care:compliance_root",
    "care:activities",
    "people:person_list",
    "concerns:list",
    "referrals:list",
    "social:helpers",
    "people:responsibility_root",
    "villagefiles:village_file",
    "villagefiles:gaps",
]
DIRECTOR_MENU = [n for n in STAFF_MENU if n not in ("home", "care:compliance_root")]
DIRECTOR_MENU.insert(1, "care:worklist")
# A village director works from a phone (issue 15): these five entries are shown at once, in
# this order, the rest of their menu behind "more". Nobody else has a short menu.
DIRECTOR_SHORT = [
    "care:worklist",
    "children:roster",
    "rounds:list",
    "care:activities",
    "concerns:list",
]
# Without an area: no dashboard, social forces or village files, people's gap page instead.
AREA_ONLY = {"stats:dashboard", "social:helpers", "villagefiles:village_file", "villagefiles:gaps"}
SUPERUSER_MENU = [*(n for n in STAFF_MENU if n not in AREA_ONLY), "people:gaps", "jobs:operations"]
# Today's menus, persona by persona (read off base.html before the registry).
MENUS = {
    "county_officer": [
        *STAFF_MENU[:3],
        "registry:duplicate_list",
        "registry:handover_list",
        *STAFF_MENU[3:],
        "audit_log",
        "jobs:operations",
    ],
    "township_officer": STAFF_MENU,
    "township_staff": STAFF_MENU,
    "other_township_officer": STAFF_MENU,
    "director": DIRECTOR_MENU,
    "other_director": DIRECTOR_MENU,
    "leader": STAFF_MENU,
    "volunteer": HELPER_MENU,
    "social_worker": HELPER_MENU,
    "superuser": SUPERUSER_MENU,
}
SHORT = {"director": DIRECTOR_SHORT, "other_director": DIRECTOR_SHORT}


def shown_order(persona) -> list[str]:
    """The persona's entries in the order the page shows them: the short menu, then "more"."""
    short = SHORT.get(persona, [])
    return [*short, *(name for name in MENUS[persona] if name not in short)]


# The entry highlighted on a page, as base.html highlighted it (None: no entry), for a
# staff account bound to an area, one without (the superuser) and a helper.
ACTIVE = {
    "county_officer": {
        "home": "home",
        "stats:dashboard_root": "stats:dashboard",
        "stats:report_quarterly": "stats:dashboard",
        "children:detail": "children:roster",
        "children:concern_inbox": "children:roster",
        "rounds:review": "rounds:list",
        "relief:catalogue": "relief:measure_list",
        "people:area_detail": "people:area_root",
        "people:area_root": None,
        "areas:service_point_edit": "areas:service_point_list",
        "care:compliance_homes": "care:compliance_root",
        "care:activity_new": "care:activities",
        "api:activity-list": "care:activities",
        "people:person_password": "people:person_list",
        "concerns:public": "concerns:list",
        "social:organisations": "social:helpers",
        "social:my_children": "social:helpers",
        "social:helper_profile": "social:helpers",
        "people:responsibility": "people:responsibility_root",
        "villagefiles:village_file": "villagefiles:village_file",
        "villagefiles:township_file": None,
        "villagefiles:gaps": "villagefiles:gaps",
        "people:gaps": "villagefiles:gaps",
        "audit_log": "audit_log",
        "care:worklist": None,
        "care:notifications": None,
        "": None,
    },
    "superuser": {
        "people:gaps": "people:gaps",
        "villagefiles:gaps": None,
        "stats:dashboard": None,
    },
    # A director lands on the worklist (the home page); the rest as everyone's.
    "director": {
        "home": "care:worklist",
        "care:worklist": "care:worklist",
        "children:detail": "children:roster",
        "rounds:return": "rounds:list",
        "care:activity_new": "care:activities",
        "concerns:new": "concerns:list",
        "people:area_detail": "people:area_root",
        "care:compliance_homes": None,
    },
    "volunteer": {
        "social:my_children": "social:my_children",
        "social:helper_child": "social:my_children",
        "social:service_new": "social:my_children",
        "social:helpers": None,
        "concerns:new": "concerns:list",
        "care:notification_preferences": "care:notifications",
        "social:helper_profile": "social:helper_profile",
        "home": None,
    },
}


@pytest.fixture
def superuser(world):
    from tests.personas import make_user

    return make_user("root", "", None, is_superuser=True, is_staff=True)


def shown(html: str) -> list[tuple[str, str, bool]]:
    """(address, label, active) of every main-menu entry of a page."""
    nav = re.search(r'<nav class="main"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "the page has no main menu"
    return [
        (href, label, bool(active))
        for href, active, label in re.findall(
            r'<a href="([^"]+)"( class="active")?>([^<]*)</a>', nav.group(1)
        )
    ]


def test_the_visibility_table_gives_each_persona_todays_menu_in_todays_order():
    for persona, menu in MENUS.items():
        expected = [name for name, _label in ORDER if persona in VISIBILITY[name][1]]
        assert menu == expected, persona
    assert [name for name, _label in ORDER] == list(VISIBILITY)


def test_the_registry_holds_exactly_the_table_in_order():
    from django.utils import translation

    from core import menu

    with translation.override("en"):
        assert [(item.url_name, str(item.label)) for item in menu.items()] == ORDER


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", [*STAFF, *HELPERS, "superuser"])
def test_each_persona_sees_todays_menu(client, ctx, superuser, persona, language):  # noqa: F811
    from django.conf import settings
    from django.utils import translation

    user = superuser if persona == "superuser" else ctx[persona]
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = opened(client, reverse("home"))
    labels = dict(ORDER)
    with translation.override(language):
        expected = [translation.gettext(labels[name]) for name in shown_order(persona)]
    entries = shown(page.text)
    assert [resolve(url).view_name for url, _label, _active in entries] == shown_order(persona)
    assert [label.replace("&#x27;", "'") for _url, label, _active in entries] == expected
    # Entries that open the user's own area or profile, as before.
    links = [url for url, _label, _active in entries]
    if user.area_id and persona not in HELPERS:
        assert reverse("stats:dashboard", args=[user.area.code]) in links
        assert reverse("villagefiles:village_file", args=[user.area.code]) in links
    # The first entry (home, a director's worklist or a helper's children) is where the user
    # lands: highlighted.
    highlighted = [resolve(url).view_name for url, _label, on in entries if on]
    assert highlighted == shown_order(persona)[:1]


@pytest.mark.parametrize("persona", list(ACTIVE))
def test_the_entry_highlighted_on_each_page_is_todays(ctx, superuser, persona):  # noqa: F811
    from core import menu
    from people.models import User

    user = User.objects.get(username="root" if persona == "superuser" else ctx[persona].username)
    for here, expected in ACTIVE[persona].items():
        active = [resolve(e.url).view_name for e in menu.entries_for(user, here) if e.active]
        assert active == ([expected] if expected else []), f"{persona} on {here!r}"


def test_the_superuser_can_open_every_entry_shown(client, superuser):
    client.force_login(superuser)
    for url, _label, _active in shown(opened(client, reverse("home")).text):
        page = opened(client, url)
        assert page.status_code == 200, f"superuser: {url} answers {page.status_code}"


# The home page's queries, measured before the menu became a registry: it must not grow.
# A helper's home is their children; a director's is the worklist, with its inboxes in the
# page since issue 15 (four queries here instead of two more requests after the page), and
# the referrals waiting for an answer since issue 16 (one more). A township's or county's home
# has one more since issue 16: the applications for benefits by township (one grouped count,
# applications' partial).
HOME_QUERIES = {"staff": 9, "director": 13, "superuser": 3, "helper": 3}


@pytest.mark.parametrize("persona", [*STAFF, *HELPERS, "superuser"])
def test_the_menu_adds_no_query_to_the_home_page(
    client,
    ctx,  # noqa: F811
    superuser,
    persona,
    django_assert_max_num_queries,
):
    client.force_login(superuser if persona == "superuser" else ctx[persona])
    url = reverse("social:my_children" if persona in HELPERS else "home")
    kind = "helper" if persona in HELPERS else "superuser" if persona == "superuser" else "staff"
    if persona in ("director", "other_director"):
        kind = "director"
    client.get(url)  # the session's first request
    with django_assert_max_num_queries(HOME_QUERIES[kind]):
        assert client.get(url).status_code == 200


def test_base_html_names_no_apps_url():
    from pathlib import Path

    from django.conf import settings

    core = Path(settings.BASE_DIR) / "core" / "templates"
    for template in (core / "base.html", core / "core" / "_menu.html"):
        names = re.findall(r"{%\s*url\s+['\"]([^'\"]+)['\"]", template.read_text())
        assert not [n for n in names if ":" in n], f"{template.name} names an app's URL"
        # core's own pages, and the installable app's (core.views: issue 15).
        core_pages = {"home", "login", "logout", "set_language", "password_change"}
        assert set(names) <= core_pages | {"manifest", "service_worker", "outbox"}


# The short menu (issue 15, point 8): an entry says for whom it is one of the few shown at
# once (core.menu.register_short); the user's other entries go behind "more".


def view_names(entries) -> list[str]:
    return [resolve(entry.url).view_name for entry in entries]


@pytest.mark.parametrize("persona", [*STAFF, *HELPERS, "superuser"])
def test_only_a_director_has_a_short_menu_of_five_with_the_rest_behind_more(
    ctx,  # noqa: F811
    superuser,
    persona,
):
    from core import menu

    user = superuser if persona == "superuser" else ctx[persona]
    shown = menu.menu_for(user, "home")
    if persona in SHORT:
        assert view_names(shown.short) == SHORT[persona]
        assert view_names(shown.more) == [n for n in MENUS[persona] if n not in SHORT[persona]]
    else:
        assert view_names(shown.short) == MENUS[persona] and shown.more == []
    # The same entries as before, each once, whichever way they are split.
    assert sorted(view_names([*shown.short, *shown.more])) == sorted(MENUS[persona])


def test_the_short_menu_is_the_registrys_rule_not_a_role_name(monkeypatch, ctx):  # noqa: F811
    from core import menu

    def short_for_staff(user):
        return user.role == "township_staff"

    items = [
        menu.MenuItem("A", "home", order=1, active=menu.on("home")),
        menu.MenuItem("B", "logout", order=2, active=menu.on("x")),
        menu.MenuItem("C", "login", order=3, active=menu.on("y")),
    ]
    monkeypatch.setattr(menu, "_items", items)
    monkeypatch.setattr(menu, "_short", [(short_for_staff, "logout")])
    # Nobody else has a primary entry: one menu, every entry at once, none behind "more".
    plain = menu.menu_for(ctx["county_officer"], "home")
    assert [e.label for e in plain.short] == ["A", "B", "C"] and plain.more == []
    # The user for whom an entry is primary: it alone at once, the rest behind "more" in
    # the registry's order; "more" is marked when the page is one of its entries.
    short = menu.menu_for(ctx["township_staff"], "home")
    assert [e.label for e in short.short] == ["B"]
    assert [e.label for e in short.more] == ["A", "C"]
    assert short.more_active
    assert not menu.menu_for(ctx["township_staff"], "x").more_active


def test_the_directors_page_shows_the_rest_behind_a_more_disclosure(client, ctx):  # noqa: F811
    client.force_login(ctx["director"])
    page = client.get(reverse("people:area_detail", args=[ctx["director"].area.code])).text
    nav = re.search(r'<nav class="main"[^>]*>(.*?)</nav>', page, re.S).group(1)
    at_once, behind = nav.split('<details class="more"')
    assert [resolve(u).view_name for u in re.findall(r'href="([^"]+)"', at_once)] == SHORT[
        "director"
    ]
    assert reverse("people:area_root") in behind
    # The page is behind "more": its summary is marked, as an entry would be.
    assert '<summary class="active">' in behind
    client.force_login(ctx["county_officer"])
    assert "<details" not in client.get(reverse("home")).text.split("<main>")[0]
