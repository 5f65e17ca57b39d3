"""A village director's pages fit a 360 px phone (issue 15, points 8 and 9): a short menu
with the rest behind "more", tap targets of at least 44 px, the worklist and the roster as
compact rows, and the activity form's children with a search and "all present"."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.personas import make_child

pytestmark = pytest.mark.browser

WIDTH = 360
TAP = 44  # px: the smallest tap target (WCAG 2.5.5, Apple's and Android's guidelines)
# A compact row is two lines: the name (a 44 px tap target) over the facts that matter, the
# action beside them; 90 px leaves room for a wrapped line of badges. The card it replaces
# stacked one line per column (five or seven, some 150 to 250 px).
ROW = 90
SHORT_MENU = ["care:worklist", "children:roster", "rounds:list", "care:activities", "concerns:list"]
NAMES = ["王小明", "李小红", "张小刚", "赵小丽", "王小虎", "陈小燕"]


@pytest.fixture
def village(world, director):
    """Six children of the director's village: two overdue for a visit, four due."""
    long_ago = dt.date.today() - dt.timedelta(days=120)
    return [
        make_child(world["a1"], name, registered_on=long_ago if i < 2 else None)
        for i, name in enumerate(NAMES)
    ]


def heights(locator):
    """The height of each element the locator finds, with its text (for the message)."""
    return [
        (locator.nth(i).bounding_box()["height"], locator.nth(i).inner_text().strip())
        for i in range(locator.count())
    ]


def assert_tappable(locator, what):
    found = heights(locator)
    assert found, f"no {what} found"
    small = [(round(h), text) for h, text in found if h < TAP]
    assert not small, f"{what} shorter than {TAP} px: {small}"


def compact_rows(page, table, expect):
    """Each child of the village is one row of `table` no taller than ROW, and every link
    and button in the rows is a tap target."""
    rows = page.locator(f"{table} tbody tr")
    expect(rows).to_have_count(len(NAMES))
    tall = [(round(h), text.split("\n")[0]) for h, text in heights(rows) if h > ROW]
    assert not tall, f"rows of {table} taller than {ROW} px: {tall}"
    assert_tappable(rows.locator("a:visible, button:visible"), f"links and buttons of {table}")


def test_director_has_a_short_menu_tappable_rows_and_a_searchable_activity_form(
    phone_page, login, world, director, village, expect, fits
):
    from django.utils import translation

    page = phone_page
    login(page, "director")
    expect(page.get_by_test_id("worklist-counts")).to_be_visible()

    # The menu: the five entries, then "more" (closed: its entries are not shown).
    menu = page.locator("nav.main")
    shown = menu.locator("> a")
    expect(shown).to_have_count(len(SHORT_MENU))
    assert [shown.nth(i).get_attribute("href") for i in range(shown.count())] == [
        reverse(name) for name in SHORT_MENU
    ]
    more = page.get_by_test_id("menu-more")
    with translation.override("zh-hans"):
        expect(more.locator("summary")).to_have_text(translation.gettext("More"))
    expect(more.locator("a").first).to_be_hidden()
    assert_tappable(menu.locator("> a, summary"), "menu entries")
    # Five entries and "more" take two rows of three, not five lines of links.
    assert menu.bounding_box()["height"] <= 2 * TAP + 4

    # The worklist: each child a compact row, its links and buttons tappable.
    compact_rows(page, "main table:is([data-testid=overdue], [data-testid=due-soon])", expect)
    fits(page, WIDTH)
    page.screenshot(path="/tmp/phone_worklist.png", full_page=True)

    # "More" opens without script and shows the rest, each tappable.
    more.locator("summary").click()
    expect(more.locator("a").first).to_be_visible()
    assert_tappable(more.locator("a"), "entries behind more")
    fits(page, WIDTH)
    page.screenshot(path="/tmp/phone_menu_more.png")

    # The roster: compact rows too.
    menu.locator(f'> a[href="{reverse("children:roster")}"]').click()
    expect(page).to_have_url(re.compile(r"/children/$"))
    compact_rows(page, "main table[data-testid=roster]", expect)
    fits(page, WIDTH)
    page.screenshot(path="/tmp/phone_roster.png", full_page=True)

    # The activity form: typing filters the children; "all present" ticks every one.
    page.goto(reverse("care:activity_new"))
    form = page.get_by_test_id("activity-form")
    children = form.locator("#id_children input[type=checkbox]")
    expect(children).to_have_count(len(NAMES))
    search = form.get_by_test_id("pick-search")
    search.fill("王小")
    shown_names = form.locator("#id_children label:visible")
    expect(shown_names).to_have_count(2)
    expect(shown_names).to_have_text(["王小虎", "王小明"])  # in pinyin order
    search.fill("")
    expect(form.locator("#id_children label:visible")).to_have_count(len(NAMES))
    form.get_by_test_id("pick-all").click()
    for i in range(len(NAMES)):
        expect(children.nth(i)).to_be_checked()
    # The search box has no name: the form sends (and the outbox stores) the same fields.
    assert search.get_attribute("name") is None
    assert_tappable(form.locator("#id_children label"), "children's checkboxes")
    assert_tappable(form.locator("button:visible, input[type=search]"), "form buttons")
    fits(page, WIDTH)
    page.screenshot(path="/tmp/phone_activity.png", full_page=True)

    # Saved with every child present.
    form.locator("#id_theme").select_option(index=1)
    form.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/care/(worklist|activities)/$"))
    from care.models import Activity

    assert Activity.objects.get().children.count() == len(NAMES)


def test_the_activity_forms_search_and_all_present_work_offline_and_the_outbox_sends_them(
    phone_page, login, world, director, village, expect, fits
):
    """From the page the phone kept (no network): the search and "all present" need no
    server, and the outbox sends the activity with every child when the network returns."""
    from care.models import Activity

    page = phone_page
    login(page, "director")
    page.goto(reverse("care:worklist"))
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=30_000)

    page.context.set_offline(True)
    page.goto(reverse("care:activity_new"))
    form = page.get_by_test_id("activity-form")
    search = form.get_by_test_id("pick-search")
    search.fill("zhang")  # the pinyin finds 张小刚 too
    expect(form.locator("#id_children label:visible")).to_have_text(["张小刚"])
    search.fill("")
    form.get_by_test_id("pick-all").click()
    expect(form.locator("#id_children input:checked")).to_have_count(len(NAMES))
    form.locator("#id_theme").select_option(index=1)
    fits(page, WIDTH)
    form.get_by_test_id("save").click()
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_have_text(re.compile(r"^1\D"))
    assert not Activity.objects.exists()

    page.context.set_offline(False)  # the `online` event sends it
    expect(badge).to_be_hidden(timeout=20_000)
    assert Activity.objects.get().children.count() == len(NAMES)
