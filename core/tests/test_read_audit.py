"""Reads of children's data are audited, masked in lists and limited per user; whoever reads
far more than their work needs shows on the county's audit page (issue 13, point 5)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from care.services import record_visit
from core import idnumber
from core.audit import log_read
from core.models import AuditEntry
from tests.personas import make_child, make_user

pytestmark = pytest.mark.django_db

BORN = dt.date(2016, 5, 1)


@pytest.fixture
def api():
    return APIClient()


def number(seq: int) -> str:
    return idnumber.make("341623", BORN, seq)


def listed(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


# -- the API's lists ---------------------------------------------------------------------


def test_the_api_children_list_masks_identity_numbers_and_is_audited(api, county_officer, world):
    first = make_child(world["a1"], "王一", id_number=number(11))
    second = make_child(world["b1"], "张二", id_number=number(13))
    api.force_authenticate(county_officer)
    query = {"ordering": "name_pinyin", "area": world["a1"].code}
    body = api.get("/api/v1/children/", query).json()
    assert [c["id_number"] for c in body["results"]] == [idnumber.mask(number(11))]
    entry = listed("children.child.listed")
    assert entry.actor == county_officer and entry.data["via"] == "api"
    assert entry.data["count"] == 1 and entry.data["ids"] == [first.pk]
    assert entry.data["query"] == {"ordering": "name_pinyin", "area": world["a1"].code}
    assert entry.area_code == world["county"].code
    api.get("/api/v1/children/")
    everything = AuditEntry.objects.filter(action="children.child.listed").first()
    assert everything.data["count"] == 2 and set(everything.data["ids"]) == {first.pk, second.pk}


def test_a_child_own_record_is_full_for_an_officer_and_masked_for_the_leader(
    api, county_officer, director, leader, world
):
    child = make_child(world["a1"], "王一", id_number=number(11))
    for user, shown in (
        (county_officer, number(11)),
        (director, number(11)),
        (leader, idnumber.mask(number(11))),
    ):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/children/{child.pk}/").json()["id_number"] == shown
        listed_numbers = [c["id_number"] for c in api.get("/api/v1/children/").json()["results"]]
        assert listed_numbers == [idnumber.mask(number(11))]


def test_a_volunteer_sees_no_child_that_is_not_paired(api, volunteer, world):
    child = make_child(world["a1"], "王一", id_number=number(11))
    api.force_authenticate(volunteer)
    assert api.get(f"/api/v1/children/{child.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url,action",
    [
        ("/api/v1/visits/", "care.visit.listed"),
        ("/api/v1/activities/", "care.activity.listed"),
        ("/api/v1/concerns/", "children.concern.listed"),
        ("/api/v1/relief-measures/", "relief.measure.listed"),
        ("/api/v1/assistance-contacts/", "relief.contact.listed"),
        ("/api/v1/returns/", "rounds.return.listed"),
        ("/api/v1/pairings/", "social.pairing.listed"),
        ("/api/v1/service-records/", "social.service.listed"),
        ("/api/v1/reports-of-concern/", "concerns.report.listed"),
    ],
)
def test_every_api_list_of_childrens_data_is_audited(api, county_officer, world, url, action):
    api.force_authenticate(county_officer)
    assert api.get(url, {"page": 1}).status_code == 200
    entry = listed(action)
    assert entry.data["query"] == {"page": "1"} and entry.data["count"] == 0


def test_the_api_visit_list_names_the_visits_read(api, director, world):
    child = make_child(world["a1"], "王一", actor=director)
    visit = record_visit(director, child, {"visited_on": dt.date.today() - dt.timedelta(days=1)})
    api.force_authenticate(director)
    assert api.get("/api/v1/visits/").status_code == 200
    entry = listed("care.visit.listed")
    assert entry.data["ids"] == [visit.pk] and entry.data["count"] == 1


def test_an_api_list_page_writes_one_entry_whatever_its_size(
    api, county_officer, world, django_assert_max_num_queries
):
    for i in range(30):
        make_child(world["a1"], f"王{i}")
    api.force_authenticate(county_officer)
    # the reader's hourly budget; the list's 4; the audit entry with its chain head (3)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/children/").status_code == 200
    assert listed("children.child.listed").data["count"] == 30


# -- pages ---------------------------------------------------------------------------------


def test_the_roster_and_its_searches_are_audited(client, township_officer, world):
    wang = make_child(world["a1"], "王一")
    make_child(world["a2"], "李二")
    client.force_login(township_officer)
    assert client.get(reverse("children:roster")).status_code == 200
    assert client.get(reverse("children:roster"), {"q": "王"}).status_code == 200
    search, whole = AuditEntry.objects.filter(action="children.child.listed")
    assert whole.data["count"] == 2 and whole.data["via"] == "page"
    assert search.data["query"] == {"q": "王"} and search.data["ids"] == [wang.pk]
    assert search.data["total"] == 1 and search.area_code == world["a"].code


def test_a_child_visits_list_is_audited(client, director, world):
    child = make_child(world["a1"], "王一", actor=director)
    visit = record_visit(director, child, {"visited_on": dt.date.today() - dt.timedelta(days=1)})
    client.force_login(director)
    assert client.get(reverse("care:child_visits", args=[child.pk])).status_code == 200
    entry = listed("care.visit.listed")
    assert entry.data["ids"] == [visit.pk] and entry.object_id == str(child.pk)


def test_a_figure_member_list_is_audited(client, county_officer, world):
    client.force_login(county_officer)
    url = reverse("stats:figure", args=[world["county"].code, "homes"])
    assert client.get(url).status_code == 200
    entry = listed("stats.figure.listed")
    assert entry.data["title"] == "儿童之家" and entry.data["count"] == 2


# -- the bulk-read limit ---------------------------------------------------------------------


def test_past_the_hourly_limit_the_api_answers_429_in_chinese_and_audits_it(
    api, director, world, settings
):
    settings.READ_LIMIT_PER_HOUR = 3
    for i in range(4):
        make_child(world["a1"], f"王{i}")
    api.force_authenticate(director)
    assert api.get("/api/v1/children/").status_code == 200  # under the limit when asked
    refused = api.get("/api/v1/children/")
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert "超过 3 条" in detail and "Expected" not in detail and int(refused["Retry-After"]) > 0
    entry = AuditEntry.objects.get(action="core.reads.limited")
    assert entry.actor == director and entry.data["via"] == "api"
    assert entry.data["records"] == 4 and entry.data["limit"] == 3
    # Lists without children's data are not refused.
    assert api.get("/api/v1/areas/").status_code == 200


def test_past_the_hourly_limit_the_roster_page_answers_429_with_a_message(
    client, director, township_officer, world, settings
):
    settings.READ_LIMIT_PER_HOUR = 3
    for i in range(4):
        make_child(world["a1"], f"王{i}")
    client.force_login(director)
    assert client.get(reverse("children:roster")).status_code == 200
    refused = client.get(reverse("children:roster"), {"q": "王"})
    assert refused.status_code == 429 and "读取记录过多" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert client.get(reverse("children:export", args=["csv"])).status_code == 429
    assert AuditEntry.objects.filter(action="core.reads.limited").count() == 2
    client.force_login(township_officer)
    assert client.get(reverse("children:roster")).status_code == 200


def test_the_default_limit_lets_an_officer_page_a_roster_of_5000_once(settings):
    from core.throttling import read_limit

    assert read_limit() >= 5000 + 2000


# -- the county's audit page -----------------------------------------------------------------


def reader_rows(html: str) -> dict[str, bool]:
    """username → flagged, from the readers' section of the audit page."""
    section = html.split('data-testid="heavy-readers"')[1].split("</section>")[0]
    rows = re.findall(r"<tr( data-testid=\"flagged-reader\")?>\s*<td[^>]*>([^<]+)</td>", section)
    return {name: bool(flag) for flag, name in rows}


def test_an_over_reader_shows_on_the_audit_page_and_a_normal_reader_does_not(
    client, county_officer, director, other_director, township_officer, world
):
    # Directors read their village's few children; one pulled thousands.
    log_read(director, "children.child.listed", {"page": "1"}, 2500, via="api")
    log_read(other_director, "children.child.listed", {}, 40, via="page")
    log_read(other_director, "children.child.listed", {}, 60, via="page")
    log_read(township_officer, "children.child.exported", None, 300, format="xlsx")
    client.force_login(county_officer)
    html = client.get(reverse("audit_log")).content.decode()
    rows = reader_rows(html)
    assert rows == {"director": True, "township_officer": False, "other_director": False}
    assert "?user=director&amp;since=" in html


def test_a_reader_above_the_county_threshold_is_flagged_without_peers(
    client, county_officer, township_officer, world, settings
):
    settings.READ_FLAG_RECORDS = 1000
    log_read(township_officer, "children.child.listed", {}, 999, via="api")
    client.force_login(county_officer)
    assert reader_rows(client.get(reverse("audit_log")).content.decode()) == {
        "township_officer": False
    }
    log_read(township_officer, "children.child.listed", {}, 1, via="api")
    assert reader_rows(client.get(reverse("audit_log")).content.decode()) == {
        "township_officer": True
    }


def test_a_refused_reader_is_flagged(client, county_officer, director, world, settings):
    settings.READ_LIMIT_PER_HOUR = 1
    make_child(world["a1"], "王一")
    make_child(world["a1"], "王二")
    client.force_login(director)
    client.get(reverse("children:roster"))
    assert client.get(reverse("children:roster")).status_code == 429
    client.force_login(county_officer)
    assert reader_rows(client.get(reverse("audit_log")).content.decode())["director"] is True


def test_the_readers_section_is_one_query(
    client, county_officer, director, other_director, world, django_assert_max_num_queries
):
    for user in (director, other_director):
        for _ in range(5):
            log_read(user, "children.child.listed", {}, 10, via="api")
    client.force_login(county_officer)
    with django_assert_max_num_queries(9):  # the page's 8, and the readers' aggregate
        assert client.get(reverse("audit_log")).status_code == 200


def test_another_townships_reads_are_not_on_a_township_readers_list(
    county_officer, director, other_director, world
):
    from core.reads import heavy_readers

    log_read(director, "children.child.listed", {}, 10, via="api")
    log_read(other_director, "children.child.listed", {}, 10, via="api")
    township = make_user("ta_officer", "township_supervisor", world["a"])
    rows = heavy_readers(AuditEntry.objects.visible_to(township))
    assert [r["actor_username"] for r in rows] == ["director"]


def test_past_the_limit_a_record_is_refused_too_but_not_a_step_of_work(
    api, director, world, settings
):
    settings.READ_LIMIT_PER_HOUR = 1
    child = make_child(world["a1"], "王一", actor=director)
    make_child(world["a1"], "王二", actor=director)
    api.force_authenticate(director)
    api.get("/api/v1/children/")
    assert api.get(f"/api/v1/children/{child.pk}/").status_code == 429
    visit = api.post(
        "/api/v1/visits/",
        {"child": child.pk, "visited_on": (dt.date.today() - dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert visit.status_code == 201
