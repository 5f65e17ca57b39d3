"""The public report's limit and robot trap (concerns.public) hold for the page and the API
alike: counted per client address (behind a trusted proxy, per forwarded client), valid
reports only; past the limit the reporter is told to call 110 or 12345 and keeps the text."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from concerns.models import ConcernReport

pytestmark = pytest.mark.django_db

PROXY = {"REMOTE_ADDR": "10.0.0.1"}
DESCRIPTION = "孩子一个人在家好几天了，没人做饭。"


def report(world, **extra):
    return {
        "place": "王庄村东头",
        "situation": "abandoned",
        "description": DESCRIPTION,
        "urgency": "immediate",
        "reporter_role": "neighbour",
        **extra,
    }


def send(way, world, data, **meta):
    """Send a report through the page or the API; answer (accepted, response)."""
    if way == "page":
        from django.test import Client

        response = Client().post(
            reverse("concerns:public"), {**data, "area": world["a1"].pk}, **meta
        )
        return response.status_code == 302, response
    response = APIClient().post(
        "/api/v1/public-reports/", {**data, "area": world["a1"].code}, format="json", **meta
    )
    return response.status_code == 201, response


WAYS = ["page", "api"]


@pytest.mark.parametrize("way", WAYS)
def test_past_the_limit_the_reporter_is_told_to_call_110_or_12345_and_keeps_the_text(
    way, world, settings
):
    settings.SHOUHU_PUBLIC_REPORTS_PER_HOUR = 2
    for _ in range(2):
        assert send(way, world, report(world))[0]
    accepted, limited = send(way, world, report(world))
    assert not accepted and limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    text = limited.text if way == "page" else limited.json()["detail"]
    assert "110" in text and "12345" in text and "政务服务热线" in text
    if way == "page":
        assert 'data-testid="rate-limited"' in text and DESCRIPTION in text
        assert 'data-testid="public-report-form"' in text
    assert ConcernReport.objects.count() == 2


# A report refused by the form or the serializer (no description) is never counted. A
# description too short passes the form and the serializer (the length is the service's
# rule), so the report was counted: the service's refusal gives the slot back.
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "description, refusals, then_limited",
    [("", 4, True), ("太短了", 3, False)],
    ids=["invalid-reports-do-not-count", "a-report-the-service-refuses-gives-its-slot-back"],
)
def test_refused_reports_leave_the_limit_to_valid_ones(
    way, description, refusals, then_limited, world, settings
):
    settings.SHOUHU_PUBLIC_REPORTS_PER_HOUR = 2
    for _ in range(refusals):
        accepted, refused = send(way, world, report(world, description=description))
        assert not accepted and refused.status_code in (200, 400)
    assert send(way, world, report(world))[0]
    assert send(way, world, report(world))[0]
    if then_limited:
        assert send(way, world, report(world))[1].status_code == 429
    assert ConcernReport.objects.count() == 2


def test_the_page_and_the_api_share_one_count(world, settings):
    settings.SHOUHU_PUBLIC_REPORTS_PER_HOUR = 2
    assert send("page", world, report(world))[0]
    assert send("api", world, report(world))[0]
    assert send("page", world, report(world))[1].status_code == 429
    assert send("api", world, report(world))[1].status_code == 429


@pytest.mark.parametrize("way", WAYS)
def test_a_robot_gets_the_answer_a_person_gets_but_nothing_is_saved_or_counted(
    way, world, settings, mailoutbox
):
    settings.SHOUHU_PUBLIC_REPORTS_PER_HOUR = 2
    robot = report(world, website="http://spam.example")
    for _ in range(2):
        accepted, answer = send(way, world, robot)
        assert accepted
        if way == "page":
            assert answer["Location"] == reverse("concerns:thanks")
        else:
            assert set(answer.json()) == {"reference"}
    # A flood of robots is refused as a person past the limit would be ...
    assert send(way, world, robot)[1].status_code == 429
    assert ConcernReport.objects.count() == 0 and mailoutbox == []
    # ... but the robots used none of the address's reports.
    assert send(way, world, report(world))[0]
    assert ConcernReport.objects.count() == 1


def test_the_page_thanks_a_robot_with_a_reference_like_a_persons(client, world):
    sent = client.post(
        reverse("concerns:public"),
        {**report(world), "area": world["a1"].pk, "website": "x"},
        follow=True,
    )
    assert 'data-testid="thanks"' in sent.text and ConcernReport.objects.count() == 0


@pytest.mark.parametrize("way", WAYS)
def test_clients_behind_a_trusted_proxy_are_counted_apart(way, world, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.SHOUHU_PUBLIC_REPORTS_PER_HOUR = 1
    one = {**PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    two = {**PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert send(way, world, report(world), **one)[0]
    assert send(way, world, report(world), **two)[0]
    assert send(way, world, report(world), **one)[1].status_code == 429
    assert send(way, world, report(world), **two)[1].status_code == 429


@pytest.mark.parametrize("way", WAYS)
def test_an_untrusted_forwarded_for_is_ignored(way, world, settings):
    settings.TRUST_X_FORWARDED_FOR = False
    settings.SHOUHU_PUBLIC_REPORTS_PER_HOUR = 1
    assert send(way, world, report(world), **PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")[0]
    forged = send(way, world, report(world), **PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert forged[1].status_code == 429
