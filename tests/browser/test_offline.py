"""The director's phone without a network (issue 15, points 1, 2 and 9), at 360 px.

The worklist is opened online once; then the network goes (Playwright's offline mode, which
the service worker sees as a failed fetch): the worklist and a child's visit form still open
from what the service worker kept, a visit saved offline goes to the outbox (IndexedDB) and
the header's badge counts it. When the network returns the outbox sends it, and the server
has the visit exactly once. Nothing is mocked in the browser.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from care.models import Visit
from rounds import services as rounds
from tests.personas import make_child

from .conftest import PHONE

pytestmark = pytest.mark.browser

WIDTH = PHONE["width"]


def offline_visit(page, context, child, expect, fitted_shot):
    """Online once, then offline: the worklist and the visit form open from the phone, and a
    visit saved there waits in the outbox (the badge shows 1)."""
    page.goto(reverse("care:worklist"))
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("outbox-badge")).to_be_hidden()

    context.set_offline(True)
    page.goto(reverse("care:worklist"))
    expect(page.get_by_test_id("worklist-counts")).to_be_visible()
    expect(page.get_by_test_id("due-soon")).to_contain_text(child.name)
    fitted_shot(page, WIDTH, "1-worklist-offline")

    page.get_by_test_id(f"visit-{child.pk}").click()
    expect(page).to_have_url(re.compile(rf"/care/children/{child.pk}/visit/$"))
    form = page.get_by_test_id("visit-form")
    expect(form).to_be_visible()
    form.locator("#id_problems").fill("外出打工的父亲半年没有来电话")
    fitted_shot(page, WIDTH, "2-visit-form-offline")
    form.get_by_test_id("save").click()

    expect(page).to_have_url(re.compile(r"/care/worklist/$"))
    expect(page.get_by_test_id("outbox-notice")).to_contain_text("已保存在手机上")
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(re.compile(r"^1\D"))
    fitted_shot(page, WIDTH, "3-waiting-offline")
    assert not Visit.objects.filter(child=child).exists()
    return badge


def test_a_visit_saved_offline_waits_in_the_outbox(
    new_page, login, world, director, expect, fitted_shot
):
    child = make_child(world["a1"], "王小明")
    page = login(new_page(PHONE), "director")
    badge = offline_visit(page, page.context, child, expect, fitted_shot)

    # The outbox page (kept too) lists it with its state; another page falls back.
    badge.click()
    expect(page).to_have_url(re.compile(r"/outbox/$"))
    item = page.get_by_test_id("outbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(child.name)
    expect(item.get_by_test_id("outbox-state")).to_have_text("等待发送")
    fitted_shot(page, WIDTH, "4-outbox-page")
    page.goto(reverse("care:compliance_root"))
    expect(page.get_by_test_id("offline")).to_be_visible()
    fitted_shot(page, WIDTH, "5-not-kept")


def test_the_outbox_sends_the_visit_once_when_the_network_returns(
    new_page, login, world, director, expect, fitted_shot
):
    child = make_child(world["a1"], "王小明")
    page = login(new_page(PHONE), "director")
    badge = offline_visit(page, page.context, child, expect, fitted_shot)

    page.context.set_offline(False)  # the `online` event sends it
    expect(badge).to_be_hidden(timeout=20_000)
    page.reload()  # a second chance to send must not store it twice
    expect(badge).to_be_hidden()
    fitted_shot(page, WIDTH, "6-sent")
    visits = Visit.objects.filter(child=child)
    assert visits.count() == 1
    assert visits.get().problems == "外出打工的父亲半年没有来电话"


PAGE_CACHES = "caches.keys().then(names => names.filter(n => n.startsWith('shouhu-pages-')))"
KEPT_URLS = """caches.keys()
  .then(names => Promise.all(names.filter(n => n.startsWith('shouhu-pages-'))
    .map(n => caches.open(n).then(c => c.keys()))))
  .then(lists => lists.flat().map(r => new URL(r.url).pathname))"""


def test_pages_are_kept_for_the_director_only_and_dropped_at_logout(
    new_page, login, world, director, county_officer, township_officer, expect
):
    child = make_child(world["a1"], "王小明")
    the_round = rounds.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    walk = reverse("rounds:return", args=[the_round.returns.get(area=world["a1"]).pk])
    page = login(new_page(PHONE), "director")
    page.goto(reverse("care:worklist"))
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("inbox-open-return")).to_be_visible()  # the round's inbox
    # The round walk is linked from the inbox the worklist loads with htmx: kept too.
    page.wait_for_function(f"{KEPT_URLS}.then(urls => urls.includes('{walk}'))")
    kept = set(page.evaluate(KEPT_URLS))
    assert {
        reverse("care:worklist"),
        reverse("care:visit_new", args=[child.pk]),
        reverse("care:activity_new"),
        reverse("children:roster"),
        reverse("outbox"),
        walk,
    } <= kept
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.wait_for_function(f"{PAGE_CACHES}.then(names => names.length === 0)")

    # A township officer's pages are not kept on the device.
    officer = login(new_page(PHONE), "township_officer")
    officer.goto(reverse("children:roster"))
    expect(officer.locator("html[data-offline-ready]")).to_have_count(1, timeout=30_000)
    assert officer.evaluate(KEPT_URLS) == []
