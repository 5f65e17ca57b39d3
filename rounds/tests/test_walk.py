"""The village's walk through its roster: the filter and the place in the walk survive each
check, undo and return from the registry's forms; counts of checked children never exceed
the children; the submit button says why it is disabled."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from children import services as registry
from rounds import services
from rounds.models import VillageReturn
from rounds.services import next_to_check
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def kids(world):
    """Four children of A1, in the walk's order (pinyin: an, bai, chen, ding)."""
    return [make_child(world["a1"], name) for name in ("安一", "白二", "陈三", "丁四")]


@pytest.fixture
def ret(world, county_officer, kids):
    the_round = services.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    return VillageReturn.objects.select_related("round", "area").get(
        round=the_round, area=world["a1"]
    )


def walk_url(ret):
    return reverse("rounds:return", args=[ret.pk])


def check_url(ret, child):
    return reverse("rounds:check", args=[ret.pk, child.pk])


def row_ids(html):
    return [int(pk) for pk in re.findall(r'<tr id="child-(\d+)"', html)]


def focused(html):
    """The child whose row is marked as the next to check (its button has autofocus)."""
    found = re.findall(r'<tr id="child-(\d+)"\s+data-testid="walk-row" class="next"', html)
    return [int(pk) for pk in found]


def test_next_to_check_is_the_first_unchecked_child_from_the_position_on():
    assert next_to_check([1, 2, 3, 4], {1, 2}, 0) == 3
    assert next_to_check([1, 2, 3, 4], {3}, 2) == 4
    assert next_to_check([1, 2, 3, 4], {3, 4}, 2) == 1  # wraps round to the start
    assert next_to_check([1, 2, 3, 4], {1, 2, 3, 4}, 1) is None
    assert next_to_check([1, 2], set(), 99) == 1  # a position past the end wraps
    assert next_to_check([], set(), 0) is None


def test_a_check_without_javascript_redirects_with_the_filter_and_the_next_child_anchored(
    client, director, ret, kids
):
    client.force_login(director)
    response = client.post(
        check_url(ret, kids[0]), {"action": "check", "show": "unchecked", "at": "0", "page": "1"}
    )
    assert response.status_code == 302
    assert response.url == f"{walk_url(ret)}?show=unchecked&at=0#child-{kids[1].pk}"
    page = client.get(response.url)
    assert row_ids(page.text) == [kids[1].pk, kids[2].pk, kids[3].pk]  # still filtered
    assert focused(page.text) == [kids[1].pk]
    assert page.text.count("autofocus") == 1


def test_a_check_with_htmx_swaps_the_walk_with_the_filter_kept_and_the_next_child_focused(
    client, director, ret, kids
):
    client.force_login(director)
    for position, (done, following) in enumerate(((kids[0], kids[1]), (kids[1], kids[2]))):
        del position  # under the filter the checked child leaves the list: always at 0
        walk = client.post(
            check_url(ret, done),
            {"action": "check", "show": "unchecked", "at": "0", "page": "1"},
            HTTP_HX_REQUEST="true",
        )
        assert walk.status_code == 200
        assert done.pk not in row_ids(walk.text)
        assert focused(walk.text) == [following.pk]
        # The registry's forms and the next check keep the filter too.
        assert "show%3Dunchecked" in walk.text
        assert 'name="show" value="unchecked"' in walk.text


def test_in_the_whole_roster_the_next_unchecked_child_after_the_checked_one_is_focused(
    client, director, ret, kids
):
    services.check_child(director, ret, kids[2])
    client.force_login(director)
    walk = client.post(
        check_url(ret, kids[1]), {"action": "check", "at": "1", "page": "1"}, HTTP_HX_REQUEST="true"
    )
    assert row_ids(walk.text) == [k.pk for k in kids]  # no filter: everyone is listed
    assert focused(walk.text) == [kids[3].pk]  # 陈三 was already checked
    undo = client.post(
        check_url(ret, kids[1]), {"action": "uncheck", "at": "1"}, HTTP_HX_REQUEST="true"
    )
    assert focused(undo.text) == [kids[1].pk]  # a check taken back stays at hand


def test_back_from_closing_a_child_the_walk_shows_the_next_unchecked_child_of_the_filter(
    client, director, ret, kids
):
    client.force_login(director)
    page = client.get(walk_url(ret), {"show": "unchecked"})
    back = f"{walk_url(ret)}?show=unchecked&at=0"
    close_link = f"{reverse('children:close', args=[kids[0].pk])}?next=" + back.replace(
        "?", "%3F"
    ).replace("=", "%3D").replace("&", "%26")
    assert close_link in page.text
    closed = client.post(
        reverse("children:close", args=[kids[0].pk]),
        {"reason": "moved_away", "on": "2026-11-20", "note": "", "next": back},
    )
    assert closed.url == back
    page = client.get(closed.url)
    assert row_ids(page.text) == [kids[1].pk, kids[2].pk, kids[3].pk]
    assert focused(page.text) == [kids[1].pk]


def test_the_next_unchecked_child_on_a_later_page_brings_that_page(
    client, world, director, ret, kids
):
    for n in range(120):
        make_child(world["a1"], f"赵{n:03d}")  # pinyin zhao: after the four
    for child in kids:
        services.check_child(director, ret, child)
    client.force_login(director)
    page = client.get(walk_url(ret), {"at": "3"})
    assert page.context["page"].number == 1
    assert page.context["focus"] == page.context["page"][4].pk
    page = client.get(walk_url(ret), {"at": "101"})
    assert page.context["page"].number == 2 and focused(page.text)


@pytest.mark.parametrize("at", ["abc", "-1", "99999999999", "", "3.5", "%00", "²", "٣"])
def test_a_malformed_position_or_filter_is_ignored(client, director, ret, at):
    client.force_login(director)
    page = client.get(walk_url(ret), {"at": at, "show": "<script>"})
    assert page.status_code == 200
    assert "<script>" not in page.text.split("<main>")[1]


def test_counts_of_checked_children_never_exceed_the_children(
    client, world, director, township_officer, ret, kids
):
    for child in kids:
        services.check_child(director, ret, child)
    # Checked, then closed or moved away: still in the return, no longer one of its children.
    registry.close_child(director, kids[0], "moved_away", dt.date(2026, 11, 20))
    registry.transfer_child(township_officer, kids[1], world["a2"])
    returns = {r.area_id: r for r in services.with_progress(VillageReturn.objects.all())}
    assert (returns[world["a1"].pk].checked, returns[world["a1"].pk].total) == (2, 2)
    assert (returns[world["a2"].pk].checked, returns[world["a2"].pk].total) == (0, 1)
    assert services.progress(ret) == {
        "checked": 2,
        "total": 2,
        "left": 0,
        "closed": 0,
        "complete": True,
    }
    client.force_login(township_officer)
    page = client.get(reverse("rounds:township", args=[ret.round.pk, world["a"].code]))
    rows = re.findall(r'data-label="[^"]*" class="num">(\d+) / (\d+)</td>', page.text)
    assert rows == [("2", "2"), ("0", "1")]


def test_the_disabled_submit_button_says_how_many_children_are_left(client, director, ret, kids):
    services.check_child(director, ret, kids[0])
    client.force_login(director)
    page = client.get(walk_url(ret))
    assert 'data-testid="submit-return" disabled aria-describedby="submit-why"' in page.text
    assert "还有 3 名儿童待核查" in page.text
    for child in kids[1:]:
        services.check_child(director, ret, child)
    page = client.get(walk_url(ret))
    assert "submit-why" not in page.text and "disabled" not in page.text


def test_the_walk_and_a_check_run_a_bounded_number_of_queries(
    client, world, director, ret, kids, django_assert_max_num_queries
):
    for n in range(150):
        make_child(world["a1"], f"赵{n:03d}")
    client.force_login(director)
    with django_assert_max_num_queries(25):
        client.get(walk_url(ret), {"show": "unchecked", "at": "120"})
    with django_assert_max_num_queries(30):
        client.post(
            check_url(ret, kids[2]),
            {"action": "check", "show": "unchecked", "at": "2"},
            HTTP_HX_REQUEST="true",
        )


def test_the_walk_is_a_read_of_the_village_children_and_is_audited(client, director, ret, kids):
    from core.models import AuditEntry

    client.force_login(director)
    assert client.get(walk_url(ret)).status_code == 200
    entry = AuditEntry.objects.get(action="children.child.listed")
    assert entry.actor == director and entry.object_id == str(ret.pk)
    assert set(entry.data["ids"]) == {k.pk for k in kids} and entry.data["count"] == len(kids)
