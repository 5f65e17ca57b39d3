"""The relief API: scoping, validation as field errors (400), stale versions (409), the
read-only leader (403) and the audit, for programmes, measures and contacts."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.models import AuditEntry
from relief import services
from relief.models import AssistanceContact, MeasureChange, ReliefMeasure

MEASURES = "/api/v1/relief-measures/"
CONTACTS = "/api/v1/assistance-contacts/"
PROGRAMMES = "/api/v1/programmes/"


@pytest.fixture
def api():
    return APIClient()


def add(actor, child, programme, **data):
    return services.add_measure(
        actor, child, {"programme": programme, "start_month": dt.date(2026, 1, 1), **data}
    )


def test_measures_are_scoped_to_the_jurisdiction(
    api, director, other_director, child_a1, child_b1, programmes
):
    mine = add(director, child_a1, programmes["dibao"])
    theirs = add(other_director, child_b1, programmes["dibao"])
    api.force_authenticate(director)
    listed = api.get(MEASURES).json()["results"]
    assert [m["id"] for m in listed] == [mine.pk]
    assert listed[0]["start_month"] == "2026-01" and listed[0]["amount"] == "720.00"
    assert listed[0]["programme_name"] == "最低生活保障（低保）"
    assert api.get(f"{MEASURES}{theirs.pk}/").status_code == 404
    assert api.patch(f"{MEASURES}{theirs.pk}/", {"note": "x"}, format="json").status_code == 404
    by_child = api.get(MEASURES, {"child": child_a1.pk, "status": "current"}).json()
    assert by_child["count"] == 1


def test_create_a_measure_with_field_errors_first(api, director, child_a1, child_b1, programmes):
    api.force_authenticate(director)
    body = {
        "child": child_a1.pk,
        "programme": programmes["fuc"].pk,
        "start_month": "2026-04",
        "end_month": "2026-02",
        "amount": "0",
    }
    bad = api.post(MEASURES, body, format="json")
    assert bad.status_code == 400 and {"end_month", "amount"} <= set(bad.json())
    month = api.post(MEASURES, {**body, "start_month": "April"}, format="json")
    assert month.status_code == 400 and "start_month" in month.json()
    # Not text at all (found by the API fuzzing: a 500 before).
    for odd in ({"year": 2026}, [2026, 4], 202604, True):
        shaped = api.post(MEASURES, {**body, "end_month": odd}, format="json")
        assert shaped.status_code == 400 and "end_month" in shaped.json(), odd
    elsewhere = api.post(MEASURES, {**body, "child": child_b1.pk}, format="json")
    assert elsewhere.status_code == 400 and "child" in elsewhere.json()
    assert not ReliefMeasure.objects.exists()
    ok = api.post(MEASURES, {**body, "end_month": None, "amount": "1130"}, format="json")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["end_month"] is None and ok.json()["created_by"] == "director"
    assert AuditEntry.objects.filter(action="relief.measure.created").count() == 1


def test_a_change_needs_the_current_version(api, director, township_officer, child_a1, programmes):
    measure = add(director, child_a1, programmes["dibao"])
    # The village records it; the township puts it in effect (relief.policy).
    api.force_authenticate(director)
    first = api.get(f"{MEASURES}{measure.pk}/").json()["version"]
    refused = api.patch(
        f"{MEASURES}{measure.pk}/", {"status": "active", "version": first}, format="json"
    )
    assert refused.status_code == 403
    api.force_authenticate(township_officer)
    url = f"{MEASURES}{measure.pk}/"
    version = api.get(url).json()["version"]
    stale = api.patch(url, {"status": "active", "version": "2020-01-01T00:00:00Z"}, format="json")
    assert stale.status_code == 409 and "non_field_errors" in stale.json()
    missing = api.patch(url, {"status": "active"}, format="json")
    assert missing.status_code == 409
    ok = api.patch(url, {"status": "active", "amount": "640", "version": version}, format="json")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["status"] == "active" and ok.json()["version"] != version
    assert MeasureChange.objects.get().changes["amount"][0] == "720.00"
    back = api.patch(url, {"status": "applied", "version": ok.json()["version"]}, format="json")
    assert back.status_code == 400 and "status" in back.json()
    assert AuditEntry.objects.filter(action="relief.measure.updated").count() == 1
    assert api.delete(url).status_code == 405


def test_the_leader_reads_and_may_not_write(api, leader, director, child_a1, programmes):
    measure = add(director, child_a1, programmes["dibao"])
    api.force_authenticate(leader)
    assert api.get(f"{MEASURES}{measure.pk}/").status_code == 200
    body = {"child": child_a1.pk, "programme": programmes["dibao"].pk, "start_month": "2026-02"}
    assert api.post(MEASURES, body, format="json").status_code == 403
    assert api.patch(f"{MEASURES}{measure.pk}/", {"note": "x"}, format="json").status_code == 403
    assert api.post(CONTACTS, {"child": child_a1.pk}, format="json").status_code == 403


def test_volunteers_see_no_relief(api, volunteer, director, child_a1, programmes):
    add(director, child_a1, programmes["dibao"])
    api.force_authenticate(volunteer)
    assert api.get(MEASURES).json()["count"] == 0
    assert api.get(PROGRAMMES).json()["count"] == 0


def test_contacts_through_the_api(api, director, child_a1):
    api.force_authenticate(director)
    bad = api.post(
        CONTACTS,
        {
            "child": child_a1.pk,
            "name": "李",
            "since": "2026-01-05",
            "until": "2025-01-01",
            "phone": "?",
        },
        format="json",
    )
    assert bad.status_code == 400 and {"until", "phone"} <= set(bad.json())
    ok = api.post(
        CONTACTS,
        {"child": child_a1.pk, "name": "李支书", "role": "village_cadre", "since": "2026-01-05"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    url = f"{CONTACTS}{ok.json()['id']}/"
    ended = api.patch(url, {"until": "2026-02-01", "version": ok.json()["version"]}, format="json")
    assert ended.status_code == 200 and ended.json()["current"] is False
    assert AssistanceContact.objects.get().until == dt.date(2026, 2, 1)
    assert api.get(CONTACTS, {"current": "true"}).json()["count"] == 0
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"relief.contact.created", "relief.contact.updated"} <= actions


def test_only_county_officers_keep_the_catalogue(api, county_officer, township_officer, programmes):
    dibao = programmes["dibao"]
    api.force_authenticate(township_officer)
    assert api.get(PROGRAMMES).json()["count"] == 13
    body = {"code": "winter", "name": "冬季送温暖", "payment": "one_off"}
    assert api.post(PROGRAMMES, body, format="json").status_code == 403
    assert (
        api.patch(f"{PROGRAMMES}{dibao.pk}/", {"active": False}, format="json").status_code == 403
    )
    api.force_authenticate(county_officer)
    created = api.post(PROGRAMMES, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["county"] == "341623000000"
    again = api.post(PROGRAMMES, body, format="json")
    assert again.status_code == 400 and "code" in again.json()
    url = f"{PROGRAMMES}{dibao.pk}/"
    version = api.get(url).json()["version"]
    ok = api.patch(url, {"standard_amount": "750", "version": version}, format="json")
    assert ok.status_code == 200 and ok.json()["standard_amount"] == "750.00"
    stale = api.patch(url, {"standard_amount": "760", "version": version}, format="json")
    assert stale.status_code == 409
    recode = api.patch(url, {"code": "x", "version": ok.json()["version"]}, format="json")
    assert recode.status_code == 400
    assert AuditEntry.objects.filter(action__startswith="relief.programme").count() == 2


def test_the_measures_list_does_not_grow_in_queries(
    api, director, world, programmes, django_assert_max_num_queries
):
    from tests.personas import make_child

    api.force_authenticate(director)
    for i in range(3):
        add(director, make_child(world["a1"], f"童{i}"), programmes["dibao"])
    with django_assert_max_num_queries(6):
        assert api.get(MEASURES).status_code == 200
    for i in range(3, 15):
        add(
            director,
            make_child(world["a1"], f"童{i}"),
            programmes["education"],
            amount=Decimal(900),
        )
    with django_assert_max_num_queries(6):
        assert api.get(MEASURES).json()["count"] == 15
