"""Duties kept apart in the round (issue 16, point 3): whoever submitted a village's return
does not approve it, and the county sends a township's summary back with a reason, which the
township submits again. Every step for every role."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.audit import AuditEntry
from core.exceptions import Invalid, NotNow, Refused
from notifications.models import Notification
from rounds import services
from rounds.models import ReturnState, SummaryState
from rounds.tests.test_workflow import DUE, children, complete, the_return  # noqa: F401
from tests.personas import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def q4(world, county_officer, children):  # noqa: F811
    return services.open_round(county_officer, world["county"], 2026, 4, DUE)


def submitted(actor, q4, village):
    ret = the_return(q4, village)
    complete(actor, ret)
    services.submit_return(actor, ret)
    return the_return(q4, village)


def test_whoever_submitted_a_return_may_not_approve_it(
    world, q4, township_officer, township_staff, county_officer, director, leader
):
    ret = submitted(township_officer, q4, world["a1"])
    with pytest.raises(Refused, match="another officer approves"):
        services.approve_return(township_officer, ret)
    assert not services.may_approve(township_officer, ret)
    # The director fills in; a director never reviews, nor does the read-only leader.
    for role in (director, leader):
        assert not services.may_approve(role, ret)
        with pytest.raises(Refused):
            services.approve_return(role, ret)
    # The submitter may still send it back for correction.
    services.return_for_correction(township_officer, ret, "请补充监护人电话")
    services.submit_return(township_officer, the_return(q4, world["a1"]))
    services.approve_return(township_staff, the_return(q4, world["a1"]))
    assert the_return(q4, world["a1"]).state == ReturnState.APPROVED
    # The county's officer too: one they submitted, another approves.
    a2 = submitted(county_officer, q4, world["a2"])
    with pytest.raises(Refused):
        services.approve_return(county_officer, a2)
    services.approve_return(township_officer, a2)


def test_the_review_page_offers_the_submitter_only_sending_back(
    client, world, q4, township_officer, township_staff
):
    ret = submitted(township_officer, q4, world["a1"])
    url = reverse("rounds:review", args=[ret.pk])
    client.force_login(township_officer)
    form = client.get(url).context["form"]
    assert [v for v, _ in form.fields["decision"].choices] == ["return"]
    refused = client.post(url, {"decision": "approve"})
    assert refused.status_code == 200 and "decision" in refused.context["form"].errors
    assert the_return(q4, world["a1"]).state == ReturnState.SUBMITTED
    client.force_login(township_staff)
    assert [v for v, _ in client.get(url).context["form"].fields["decision"].choices] == [
        "approve",
        "return",
    ]
    assert client.post(url, {"decision": "approve"}).status_code == 302
    assert the_return(q4, world["a1"]).state == ReturnState.APPROVED


@pytest.fixture
def township_a_done(world, q4, director, township_officer, township_staff):
    for village, filler in (("a1", director), ("a2", township_staff)):
        services.approve_return(township_officer, submitted(filler, q4, world[village]))
    return services.submit_township(township_staff, q4, world["a"])


def test_the_county_sends_a_summary_back_and_the_township_submits_it_again(
    world,
    q4,
    township_a_done,
    county_officer,
    township_officer,
    township_staff,
    other_township_officer,
    other_director,
    director,
    leader,
):
    summary = township_a_done
    for role in (township_officer, township_staff, other_township_officer, director, leader):
        with pytest.raises(Refused):
            services.send_back_township(role, summary, "数字不对")
    with pytest.raises(Invalid):
        services.send_back_township(county_officer, summary, "  ")
    back = services.send_back_township(county_officer, summary, "李楼村新增儿童未说明")
    assert back.state == SummaryState.RETURNED and back.returned_by == county_officer
    assert back.return_reason == "李楼村新增儿童未说明"
    with pytest.raises(NotNow):
        services.send_back_township(county_officer, back, "再退")
    told = Notification.objects.filter(kind=Notification.Kind.SUMMARY_RETURNED)
    assert set(told.values_list("recipient", flat=True)) == {township_officer.pk, township_staff.pk}
    entry = AuditEntry.objects.get(action="round.township_send_back")
    assert entry.data["reason"] == "李楼村新增儿童未说明" and entry.actor == county_officer
    # The round waits for it.
    services.approve_return(
        make_user("b_staff", "township_staff", world["b"]),
        submitted(other_director, q4, world["b1"]),
    )
    services.submit_township(other_township_officer, q4, world["b"])
    with pytest.raises(NotNow, match="城关镇"):
        services.close_round(county_officer, q4)
    again = services.submit_township(township_officer, q4, world["a"], "已补充说明")
    assert again.pk == summary.pk and again.state == SummaryState.SUBMITTED
    assert again.submitted_by == township_officer and again.return_reason  # kept
    assert AuditEntry.objects.filter(action="round.township_submit").latest("id").data == {
        "again": True
    }
    with pytest.raises(NotNow):
        services.submit_township(township_officer, q4, world["a"])
    services.close_round(county_officer, q4)
    with pytest.raises(NotNow):
        services.send_back_township(county_officer, again, "关闭后")


def test_sending_back_through_the_pages(
    client, world, q4, township_a_done, county_officer, township_officer, leader
):
    url = reverse("rounds:township_send_back", args=[q4.pk, world["a"].code])
    township_url = reverse("rounds:township", args=[q4.pk, world["a"].code])
    client.force_login(township_officer)
    assert "send-back" not in client.get(township_url).text
    assert client.get(url).status_code == 403
    client.force_login(leader)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(county_officer)
    assert 'data-testid="send-back"' in client.get(township_url).text
    empty = client.post(url, {})
    assert empty.status_code == 200 and "reason" in empty.context["form"].errors
    done = client.post(url, {"reason": "李楼村新增儿童未说明"})
    assert done.status_code == 302 and done.url == township_url
    assert client.get(url).status_code == 302  # nothing to send back now
    detail = client.get(reverse("rounds:detail", args=[q4.pk])).text
    assert "已退回乡镇" in detail  # the page speaks the user's language
    client.force_login(township_officer)
    page = client.get(township_url).text
    assert "summary-returned" in page and "李楼村新增儿童未说明" in page
    assert "submit-summary" in page  # submitted again from the same page
    client.post(reverse("rounds:township_submit", args=[q4.pk, world["a"].code]))
    township_a_done.refresh_from_db()
    assert township_a_done.state == SummaryState.SUBMITTED
