"""Reports of concern: the public page (rate-limited, reporter confidential), routing and
deadlines, linking a child (its care level and schedule follow), the forward-only steps,
escalation of overdue reports to the county."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import ConcernReport, State
from core.audit import AuditEntry
from notifications.models import Notification
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def public_data(world, **extra):
    return {
        "area": world["a1"].pk,
        "place": "王庄村东头",
        "situation": "abandoned",
        "description": "孩子一个人在家好几天了，没人做饭。",
        "urgency": "immediate",
        "child_name": "王小明",
        "child_age": "9",
        "reporter_role": "neighbour",
        "reporter_name": "李大姐",
        "reporter_phone": "13811112222",
        **extra,
    }


def test_a_neighbour_reports_and_the_village_and_township_are_told(
    client, world, director, other_director, township_officer, county_officer
):
    page = client.get(reverse("concerns:public"))
    assert page.status_code == 200 and "王庄村" in page.text
    bad = client.post(reverse("concerns:public"), public_data(world, description="", situation=""))
    assert bad.status_code == 200
    assert (
        'data-testid="error-description"' in bad.text
        and 'data-testid="error-situation"' in bad.text
    )
    assert ConcernReport.objects.count() == 0
    sent = client.post(reverse("concerns:public"), public_data(world), follow=True)
    assert 'data-testid="thanks"' in sent.text
    report = ConcernReport.objects.get()
    assert report.source == "public" and report.state == State.RECEIVED
    hours = (report.deadline - report.received_at).total_seconds() / 3600
    assert hours == 24
    told = set(
        Notification.objects.filter(kind="report").values_list("recipient__username", flat=True)
    )
    assert told == {director.username, township_officer.username}
    # The reporter's identity: township and county officers only.
    url = reverse("concerns:detail", args=[report.pk])
    for reader, sees in ((township_officer, True), (county_officer, True), (director, False)):
        client.force_login(reader)
        text = client.get(url).text
        assert ("13811112222" in text) is sees and ("李大姐" in text) is sees, reader.username
    client.force_login(other_director)
    assert client.get(url).status_code == 404
    entry = AuditEntry.objects.get(action="concerns.report.received")
    assert "13811112222" not in str(entry.data) and "李大姐" not in str(entry.data)


def test_linking_a_child_reviews_care_level_and_the_report_moves_forward(
    client, world, director, volunteer
):
    child = make_child(world["a1"], "王小明", father="at_home", mother="at_home")
    assert child.care_level == "ordinary"
    report = services.receive(
        {**public_data(world), "area": world["a1"], "child_age": 9}, source="public"
    )
    client.force_login(director)
    page = client.get(reverse("concerns:detail", args=[report.pk]))
    assert f'data-testid="link-{child.pk}"' in page.text
    client.post(reverse("concerns:link", args=[report.pk]), {"child": child.pk})
    child.refresh_from_db()
    report.refresh_from_db()
    assert report.child == child
    assert child.care_level == "special" and child.needs_report
    with pytest.raises(ValidationError):
        services.advance(director, report, State.CLOSED)  # no outcome
    services.advance(director, report, State.ASSESSING, note="已上门")
    report.refresh_from_db()
    assert report.first_action_at is not None
    with pytest.raises(ValidationError):
        services.advance(director, report, State.RECEIVED)
    closed = client.post(
        reverse("concerns:advance", args=[report.pk]),
        {
            "state": "closed",
            "outcome": "联系父亲回乡照顾，已落实临时监护。",
            "referral": "guardianship",
            "note": "",
        },
    )
    assert closed.status_code == 302
    report.refresh_from_db()
    assert report.state == State.CLOSED and report.referral == "guardianship"
    assert list(report.events.values_list("state", flat=True)) == [
        "received",
        "received",
        "assessing",
        "closed",
    ]


def test_overdue_reports_escalate_to_the_county_once(world, county_officer, director):
    report = services.receive(
        {**public_data(world), "area": world["a1"], "urgency": "normal", "child_age": None},
        source="public",
    )
    assert (report.deadline - report.received_at).days == 7
    assert services.escalate_overdue(timezone.now()) == 0
    later = timezone.now() + dt.timedelta(days=8)
    assert services.escalate_overdue(later) == 1
    assert services.escalate_overdue(later) == 0
    note = Notification.objects.get(kind="report_overdue")
    assert note.recipient == county_officer and note.link.endswith(f"/{report.pk}/")


def test_staff_and_helpers_file_reports(client, world, volunteer, director):
    client.force_login(volunteer)
    form = client.get(reverse("concerns:new"))
    assert form.status_code == 200 and "王庄村" in form.text
    sent = client.post(reverse("concerns:new"), {**public_data(world), "child_age": ""})
    assert sent.status_code == 302
    report = ConcernReport.objects.get()
    assert report.source == "staff" and report.reporter_user == volunteer
    # The helper sees their own report, not the village's others.
    services.receive(
        {**public_data(world), "area": world["a1"], "child_age": None}, source="public"
    )
    client.force_login(volunteer)
    listing = client.get(reverse("concerns:list"))
    assert len(re.findall(r'data-testid="report-\d+"', listing.text)) == 1
    client.force_login(director)
    listing = client.get(reverse("concerns:list"))
    assert len(re.findall(r'data-testid="report-\d+"', listing.text)) == 2


def test_pages_run_a_bounded_number_of_queries(
    client, world, director, county_officer, django_assert_max_num_queries
):
    for i in range(6):
        make_child(world["a1"], f"王{i}")
        services.receive(
            {**public_data(world), "area": world["a1"], "child_age": i}, source="public"
        )
    report = ConcernReport.objects.first()
    client.force_login(director)
    for url in (
        reverse("concerns:list"),
        reverse("concerns:inbox"),
        reverse("concerns:detail", args=[report.pk]),
        reverse("concerns:new"),
    ):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url
    client.force_login(county_officer)
    with django_assert_max_num_queries(16):
        assert (
            client.get(reverse("concerns:summary", args=[world["county"].code])).status_code == 200
        )
    client.logout()
    with django_assert_max_num_queries(6):
        assert client.get(reverse("concerns:public")).status_code == 200
