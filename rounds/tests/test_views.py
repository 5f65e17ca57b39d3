"""The round's pages: what each person sees and may do, field errors, bounded queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from rounds import services
from rounds.models import ReturnState, Round, VillageReturn
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def q4(world, county_officer):
    make_child(world["a1"], "王小明")
    make_child(world["a1"], "王小红")
    make_child(world["b1"], "张小红")
    return services.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))


def ret_of(q, village):
    return VillageReturn.objects.select_related("round", "area").get(round=q, area=village)


def test_county_officer_opens_a_round_with_field_errors_first(client, world, county_officer):
    client.force_login(county_officer)
    page = client.get(reverse("rounds:open"))
    assert page.status_code == 200
    bad = client.post(reverse("rounds:open"), {"year": "2099", "quarter": "4", "due_on": ""})
    assert bad.status_code == 200
    assert "error-quarter" in bad.text and "error-due_on" in bad.text
    ok = client.post(
        reverse("rounds:open"), {"year": "2026", "quarter": "4", "due_on": "2027-01-15"}
    )
    the_round = Round.objects.get()
    assert ok.url == reverse("rounds:detail", args=[the_round.pk])
    again = client.post(
        reverse("rounds:open"), {"year": "2026", "quarter": "3", "due_on": "2026-10-15"}
    )
    assert "已有一轮排查正在进行" in again.text


@pytest.mark.parametrize("persona", ["township_officer", "director", "leader"])
def test_only_county_officers_may_open(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("rounds:open")).status_code == 403


def test_director_walks_checks_and_submits(client, world, director, q4):
    client.force_login(director)
    ret = ret_of(q4, world["a1"])
    assert client.get(reverse("rounds:detail", args=[q4.pk])).url == reverse(
        "rounds:return", args=[ret.pk]
    )
    page = client.get(reverse("rounds:return", args=[ret.pk]))
    assert "0 / 2" in page.text
    blocked = client.post(reverse("rounds:submit", args=[ret.pk]), follow=True)
    assert "还有 2 名儿童未核查" in blocked.text
    for child in services.roster(ret):
        row = client.post(
            reverse("rounds:check", args=[ret.pk, child.pk]),
            {"action": "check"},
            HTTP_HX_REQUEST="true",
        )
        assert row.status_code == 200 and 'id="walk"' in row.text
    assert "2 / 2" in row.text
    client.post(reverse("rounds:submit", args=[ret.pk]))
    assert ret_of(q4, world["a1"]).state == ReturnState.SUBMITTED
    review = client.get(reverse("rounds:review", args=[ret.pk]))
    assert review.status_code == 200 and "review-form" not in review.text
    assert (
        client.post(reverse("rounds:review", args=[ret.pk]), {"decision": "approve"}).status_code
        == 403
    )


def test_other_director_and_volunteer_get_404(client, world, other_director, volunteer, q4):
    ret = ret_of(q4, world["a1"])
    for user in (other_director, volunteer):
        client.force_login(user)
        assert client.get(reverse("rounds:return", args=[ret.pk])).status_code == 404
        child = services.roster(ret).first()
        url = reverse("rounds:check", args=[ret.pk, child.pk])
        assert client.post(url, {"action": "check"}).status_code == 404


def test_leader_reads_but_cannot_check(client, world, leader, q4):
    client.force_login(leader)
    ret = ret_of(q4, world["a1"])
    assert client.get(reverse("rounds:return", args=[ret.pk])).status_code == 200
    child = services.roster(ret).first()
    url = reverse("rounds:check", args=[ret.pk, child.pk])
    assert client.post(url, {"action": "check"}).status_code == 403


def test_township_returns_with_comment_required_then_approves(
    client, world, director, township_officer, q4
):
    ret = ret_of(q4, world["a1"])
    for child in services.roster(ret):
        services.check_child(director, ret, child)
    services.submit_return(director, ret)
    client.force_login(township_officer)
    listing = client.get(reverse("rounds:township", args=[q4.pk, world["a"].code]))
    assert f"review-{world['a1'].code}" in listing.text
    url = reverse("rounds:review", args=[ret.pk])
    page = client.get(url)
    assert "diff-new" in page.text and "王小明" in page.text
    missing = client.post(url, {"decision": "return", "comment": " "})
    assert missing.status_code == 200 and "error-comment" in missing.text
    client.post(url, {"decision": "return", "comment": "请核对王小明的学校"})
    assert ret_of(q4, world["a1"]).state == ReturnState.RETURNED
    client.force_login(director)
    walk = client.get(reverse("rounds:return", args=[ret.pk]))
    assert "请核对王小明的学校" in walk.text
    client.post(reverse("rounds:submit", args=[ret.pk]))
    client.force_login(township_officer)
    client.post(url, {"decision": "approve", "comment": ""})
    assert ret_of(q4, world["a1"]).state == ReturnState.APPROVED


def test_record_changes_goes_through_the_registry_form_and_comes_back(client, world, director, q4):
    ret = ret_of(q4, world["a1"])
    child = services.roster(ret).get(name="王小明")
    walk_url = reverse("rounds:return", args=[ret.pk])
    client.force_login(director)
    edit = client.get(reverse("children:edit", args=[child.pk]), {"next": walk_url})
    assert f'name="next" value="{walk_url}"' in edit.text
    evil = client.get(reverse("children:edit", args=[child.pk]), {"next": "https://evil.example/"})
    assert 'name="next" value="https://evil.example/"' not in evil.text
    close = client.post(
        reverse("children:close", args=[child.pk]),
        {"reason": "moved_away", "on": "2026-11-20", "note": "", "next": walk_url},
    )
    assert close.url == walk_url
    page = client.get(walk_url)
    # The closed child counts as checked and leaves the roster: 王小红 is left to check.
    assert "0 / 1" in page.text
    assert "本轮关闭的档案" in page.text and "王小明" in page.text


def test_figures_page_and_area_slot(client, world, director, township_officer, q4):
    ret = ret_of(q4, world["a1"])
    for child in services.roster(ret):
        services.check_child(director, ret, child)
    services.submit_return(director, ret)
    services.approve_return(township_officer, ret)
    client.force_login(township_officer)
    area_page = client.get(reverse("people:area_detail", args=[world["a"].code]))
    assert reverse("rounds:figures", args=[world["a"].code]) in area_page.text
    figures = client.get(reverse("rounds:figures", args=[world["a"].code]), HTTP_HX_REQUEST="true")
    assert (
        "2026年第4季度" in figures.text or "Q4 2026" in figures.text
    ) and "quarterly-figures" in figures.text
    client.force_login(director)
    assert client.get(reverse("rounds:figures", args=[world["b"].code])).status_code == 404


def test_pages_run_a_bounded_number_of_queries(
    client, world, county_officer, director, township_officer, q4, django_assert_max_num_queries
):
    for n in range(30):
        make_child(world["a1"], f"王{n}")
    ret = ret_of(q4, world["a1"])
    client.force_login(director)
    with django_assert_max_num_queries(25):
        client.get(reverse("rounds:return", args=[ret.pk]))
    for child in services.roster(ret):
        services.check_child(director, ret, child)
    services.submit_return(director, ret)
    client.force_login(township_officer)
    with django_assert_max_num_queries(20):
        client.get(reverse("rounds:review", args=[ret.pk]))
    with django_assert_max_num_queries(15):
        client.get(reverse("rounds:township", args=[q4.pk, world["a"].code]))
    client.force_login(county_officer)
    with django_assert_max_num_queries(15):
        client.get(reverse("rounds:detail", args=[q4.pk]))
    with django_assert_max_num_queries(12):
        client.get(reverse("rounds:list"))


def test_county_closes_after_all_townships(
    client,
    world,
    county_officer,
    director,
    other_director,
    township_officer,
    township_staff,
    other_township_officer,
    q4,
):
    for village, filler, reviewer in (
        ("a1", director, township_officer),
        # Filled in by the township's supervisor, so approved by its staff (duties apart).
        ("a2", township_officer, township_staff),
        ("b1", other_director, other_township_officer),
    ):
        ret = ret_of(q4, world[village])
        for child in services.roster(ret):
            services.check_child(filler, ret, child)
        services.submit_return(filler, ret)
        services.approve_return(reviewer, ret)
    client.force_login(county_officer)
    assert "close-round" not in client.get(reverse("rounds:detail", args=[q4.pk])).text
    early = client.post(reverse("rounds:close", args=[q4.pk]), follow=True)
    assert Round.objects.get().is_open and "城关镇" in early.text
    for officer, township in ((township_officer, "a"), (other_township_officer, "b")):
        client.force_login(officer)
        client.post(reverse("rounds:township_submit", args=[q4.pk, world[township].code]))
    client.force_login(county_officer)
    assert "close-round" in client.get(reverse("rounds:detail", args=[q4.pk])).text
    client.post(reverse("rounds:close", args=[q4.pk]))
    assert not Round.objects.get().is_open


def test_township_counts_returns_not_checks(client, world, director, township_officer, q4):
    ret = ret_of(q4, world["a1"])
    for child in services.roster(ret):
        services.check_child(director, ret, child)
    client.force_login(township_officer)
    page = client.get(reverse("rounds:township", args=[q4.pk, world["a"].code]))
    counts = {state.value: n for state, n in page.context["counts"].items()}
    assert counts == {
        "not_started": 1,
        "in_progress": 1,
        "submitted": 0,
        "returned": 0,
        "approved": 0,
    }


def test_inbox_tells_each_level_what_the_round_asks(
    client, world, director, township_officer, county_officer, volunteer, q4
):
    ret = ret_of(q4, world["a1"])
    client.force_login(director)
    assert "inbox-open-return" in client.get(reverse("rounds:inbox")).text
    for child in services.roster(ret):
        services.check_child(director, ret, child)
    services.submit_return(director, ret)
    client.force_login(township_officer)
    page = client.get(reverse("rounds:inbox"))
    assert "inbox-review" in page.text and page.context["to_review"] == 1
    services.return_for_correction(township_officer, ret, "请补充监护人电话")
    client.force_login(director)
    page = client.get(reverse("rounds:inbox"))
    assert "请补充监护人电话" in page.text and "inbox-open-return" in page.text
    client.force_login(volunteer)
    assert "round-inbox" not in client.get(reverse("rounds:inbox")).text
    # The officers' home page loads it after the page; the worklist has it in the page.
    client.force_login(county_officer)
    assert reverse("rounds:inbox") in client.get(reverse("home")).text


def test_the_directors_round_inbox_asks_the_round_once(
    client, world, director, q4, django_assert_max_num_queries
):
    client.force_login(director)
    # The session, the account, the open round and the village's return (is_editable asks
    # the round the inbox already has).
    with django_assert_max_num_queries(4):
        page = client.get(reverse("rounds:inbox"), headers={"HX-Request": "true"})
    assert "inbox-open-return" in page.text


def test_the_worklist_has_its_inboxes_in_the_page_and_no_htmx(
    client, world, director, q4, django_assert_max_num_queries
):
    from concerns import services as concerns
    from concerns.tests.test_concerns import public_data

    report = concerns.receive(
        {**public_data(world), "area": world["a1"], "child_age": 9}, source="public"
    )
    client.force_login(director)
    # 8 for the worklist, 4 for the three inboxes (before: more requests after the page): the
    # referrals waiting for an answer are one query (referrals.services.inbox), the round's
    # inbox two (the open round, the village's return, which shares the round).
    with django_assert_max_num_queries(12):
        page = client.get(reverse("home")).text
    assert "inbox-open-return" in page and f"inbox-report-{report.pk}" in page
    # Issue 15's cold budget: the worklist leaves htmx out, so nothing on it may need htmx.
    assert "htmx.min" not in page
    assert not re.findall(r"\shx-(?!headers)[a-z-]+=", page)
