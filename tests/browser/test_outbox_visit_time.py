"""A visit made on the phone offline and sent later shows both times on its page (360 px)."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from outbox.services import receive
from tests.personas import make_child

pytestmark = pytest.mark.browser

WIDTH = 360


def test_a_visit_sent_later_shows_when_it_was_recorded_on_the_phone(
    phone_page, login, world, director, expect, fitted_shot
):
    child = make_child(world["a1"], "王小明")
    made_at = timezone.now() - dt.timedelta(days=1, hours=2)
    answer, created = receive(
        director,
        client_id=uuid.uuid4(),
        kind="visit",
        made_at=made_at,
        data={"child": child.pk, "visited_on": timezone.localdate(made_at).isoformat()},
    )
    assert created
    page = phone_page
    login(page, "director")
    page.goto(answer["url"])
    made = page.get_by_test_id("made-at")
    expect(made).to_contain_text(timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M"))
    expect(made).to_contain_text("收到")
    fitted_shot(page, WIDTH, "1-visit-made-on-the-phone")
