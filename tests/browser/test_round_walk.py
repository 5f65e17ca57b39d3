"""The round's walk on a 360 px phone: the director filters the walk to the children not yet
checked, checks one child after another, and after each check the next unchecked child of
the same filter is at hand (in view, its button focused) with the filter still applied; the
same after recording changes through the registry's form. The disabled submit button looks
disabled and says why. Then a volunteer's home page: cards that do not overlap."""

import datetime as dt
import re

import pytest

from rounds import services
from social import services as social
from tests.personas import make_child

pytestmark = pytest.mark.browser

NAMES = ("安一", "白二", "陈三", "丁四", "方五", "韩六")


def test_the_next_unchecked_child_follows_each_check(
    new_page, login, shot, fits, world, county_officer, director, expect, save_form
):
    from .conftest import PHONE

    kids = {name: make_child(world["a1"], name) for name in NAMES}
    the_round = services.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    ret = the_round.returns.select_related("round", "area").get(area=world["a1"])
    services.check_child(director, ret, kids["白二"])  # checked earlier: not in the filter

    page = login(new_page(PHONE), "director")
    page.goto(f"/rounds/returns/{ret.pk}/")
    expect(page.get_by_test_id("progress-figure")).to_have_text("1 / 6")
    submit = page.get_by_test_id("submit-return")
    expect(submit).to_be_disabled()
    expect(page.get_by_test_id("submit-why")).to_have_text("还有 5 名儿童待核查")
    # Disabled looks disabled: greyed (not the brand red) and no pointer.
    assert submit.evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
    assert submit.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(180, 35, 42)"
    page.get_by_test_id("show-unchecked").click()
    expect(page).to_have_url(re.compile(r"show=unchecked"))
    rows = page.get_by_test_id("walk-row")
    expect(rows).to_have_count(5)
    fits(page, PHONE["width"])
    shot(page, "1-filtered")

    def row(name):
        return rows.filter(has_text=name)

    # Check, and the next unchecked child of the filter is at hand: twice.
    for done, following, figure in (("安一", "陈三", "2 / 6"), ("陈三", "丁四", "3 / 6")):
        row(done).get_by_test_id("confirm").click()
        expect(page.get_by_test_id("progress-figure")).to_have_text(figure)
        expect(row(done)).to_have_count(0)  # the filter still applies
        expect(page.get_by_test_id("show-unchecked")).to_have_class(re.compile("active"))
        nxt = page.locator("tr.next")
        expect(nxt).to_contain_text(following)
        expect(nxt.get_by_test_id("confirm")).to_be_focused()
        expect(nxt).to_be_in_viewport()
        shot(page, f"2-after-{done}")

    # Recording changes through the registry's form comes back to the next child, filtered.
    row("丁四").get_by_test_id("record-changes").click()
    page.locator("#id_school").fill("王庄小学")
    save_form(page, page, rf"/rounds/returns/{ret.pk}/\?show=unchecked")
    expect(page.get_by_test_id("progress-figure")).to_have_text("4 / 6")
    expect(rows).to_have_count(2)
    nxt = page.locator("tr.next")
    expect(nxt).to_contain_text("方五")
    expect(nxt.get_by_test_id("confirm")).to_be_focused()
    expect(nxt).to_be_in_viewport()
    fits(page, PHONE["width"])
    shot(page, "3-back-from-changes")


def test_a_volunteers_home_has_cards_that_do_not_overlap(
    new_page, login, shot, fits, world, director, volunteer, expect
):
    from .conftest import DESKTOP, PHONE

    kids = [make_child(world["a1"], name) for name in NAMES[:4]]
    for child in kids:
        social.pair(
            director,
            child,
            {"helper": volunteer, "purpose": "tutoring", "started_on": dt.date(2026, 1, 1)},
        )
    for viewport, step in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = login(new_page(viewport), "volunteer")
        cards = page.get_by_test_id("paired-children").locator("a.card")
        expect(cards).to_have_count(4)
        boxes = [cards.nth(i).bounding_box() for i in range(4)]
        for i, a in enumerate(boxes):
            assert a["height"] > 30, f"card {i} is squashed: {a}"
            for j, b in enumerate(boxes[i + 1 :], start=i + 1):
                apart = (
                    a["x"] + a["width"] <= b["x"]
                    or b["x"] + b["width"] <= a["x"]
                    or a["y"] + a["height"] <= b["y"]
                    or b["y"] + b["height"] <= a["y"]
                )
                assert apart, f"cards {i} and {j} overlap at {step}: {a} {b}"
        # The menu holds only what a volunteer can use.
        expect(page.locator("nav.main a")).to_have_count(4)
        fits(page, viewport["width"])
        shot(page, f"home-{step}")
