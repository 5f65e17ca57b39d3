"""A round check made with no network (issue 15, point 2), at 360 px: the walk page opens
from the phone, "unchanged" is kept in the outbox and its row says it waits; when the network
returns it is sent, and the server has the check once, with the time it was made."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from rounds import services as rounds
from rounds.models import ChildCheck
from tests.personas import make_child

from .conftest import PHONE

pytestmark = pytest.mark.browser


def test_a_round_check_made_offline_is_sent_when_the_network_returns(
    new_page, login, world, director, county_officer, expect, fitted_shot
):
    child = make_child(world["a1"], "王小明")
    the_round = rounds.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    ret = the_round.returns.get(area=world["a1"])
    walk = reverse("rounds:return", args=[ret.pk])
    page = login(new_page(PHONE), "director")
    page.goto(walk)
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=30_000)

    page.context.set_offline(True)
    page.goto(walk)  # from the phone
    row = page.locator(f"#child-{child.pk}")
    row.get_by_test_id("confirm").click()
    expect(row.get_by_test_id("outcome")).to_have_text("无变化 · 等待发送")
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_have_text(re.compile(r"^1\D"))
    fitted_shot(page, PHONE["width"], "1-check-waiting")
    page.reload()  # still offline: the row still says it waits
    expect(page.locator(f"#child-{child.pk}").get_by_test_id("outcome")).to_have_text(
        "无变化 · 等待发送"
    )
    assert not ChildCheck.objects.exists()

    page.context.set_offline(False)
    expect(badge).to_be_hidden(timeout=20_000)
    check = ChildCheck.objects.get()
    assert (check.child, check.village_return, check.checked_by) == (child, ret, director)
    assert check.made_at < check.checked_at  # made on the phone, arrived later
    page.reload()
    expect(page.locator(f"#child-{child.pk}").get_by_test_id("outcome")).to_have_text("确认无变化")
