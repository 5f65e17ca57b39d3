"""The social forces API: the same scoping, rules and audit as the pages."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core.audit import AuditEntry
from relief.models import ReliefMeasure
from social import services
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_pairing_and_services_through_the_api(
    api, world, director, other_director, volunteer, social_worker
):
    child = make_child(world["a1"], "王小明")
    other = make_child(world["b1"], "张小红")
    api.force_authenticate(director)

    def pair(whom, started_on):
        body = {"child": whom.pk, "helper": volunteer.pk, "purpose": "tutoring"}
        return api.post("/api/v1/pairings/", {**body, "started_on": started_on}, format="json")

    made = pair(child, "2026-01-05")
    assert made.status_code == 201, made.json()
    again = pair(child, "2026-02-01")
    assert again.status_code == 400 and "helper" in again.json()
    outside = pair(other, "2026-01-05")
    assert outside.status_code == 400 and "child" in outside.json()

    api.force_authenticate(volunteer)
    assert [p["child"] for p in api.get("/api/v1/pairings/").json()["results"]] == [child.pk]
    bad = api.post(
        "/api/v1/service-records/",
        {"child": child.pk, "kind": "financial", "on": "2026-11-02"},
        format="json",
    )
    assert bad.status_code == 400 and {"amount", "purpose"} <= set(bad.json())
    aid = api.post(
        "/api/v1/service-records/",
        {
            "child": child.pk,
            "kind": "financial",
            "on": "2026-11-02",
            "amount": "300.00",
            "purpose": "校服",
        },
        format="json",
    )
    assert aid.status_code == 201, aid.json()
    assert aid.json()["relief_measure"] == ReliefMeasure.objects.get(child=child).pk
    assert "notes" not in aid.json()
    unpaired = api.post(
        "/api/v1/service-records/",
        {"child": other.pk, "kind": "visit", "on": "2026-11-02", "minutes": 20},
        format="json",
    )
    assert unpaired.status_code == 400 and "child" in unpaired.json()
    assert AuditEntry.objects.filter(action="social.service.created").count() == 1

    # The social worker is not paired: sees no record; the other village's director neither.
    for outsider in (social_worker, other_director):
        api.force_authenticate(outsider)
        assert api.get("/api/v1/service-records/").json()["count"] == 0
        assert api.get("/api/v1/pairings/").json()["count"] == 0

    api.force_authenticate(director)
    pairing = made.json()["id"]
    ended = api.post(f"/api/v1/pairings/{pairing}/end/", {"ended_on": "2026-11-20"}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-11-20"
    api.force_authenticate(volunteer)
    assert api.get("/api/v1/service-records/").json()["count"] == 0


def test_organisations_through_the_api(api, world, county_officer, director):
    api.force_authenticate(director)
    refused = api.post("/api/v1/organisations/", {"name": "阳光社工"}, format="json")
    assert refused.status_code == 403
    api.force_authenticate(county_officer)
    bad = api.post(
        "/api/v1/organisations/",
        {"name": "阳光社工", "registration_number": "ABC", "areas": ["341623100000"]},
        format="json",
    )
    assert bad.status_code == 400 and "registration_number" in bad.json()
    made = api.post(
        "/api/v1/organisations/",
        {"name": "阳光社工", "services": ["counselling"], "areas": ["341623100000"]},
        format="json",
    )
    assert made.status_code == 201 and made.json()["county"] == "341623000000"
    twice = api.post("/api/v1/organisations/", {"name": "阳光社工"}, format="json")
    assert twice.status_code == 400 and "name" in twice.json()
    api.force_authenticate(director)
    assert api.get("/api/v1/organisations/").json()["count"] == 1
    schema = api.get("/api/schema/")
    assert b"/api/v1/pairings/" in schema.content and b"/api/v1/service-records/" in schema.content


def test_an_officer_records_a_service_for_a_helper(api, world, township_officer, volunteer):
    child = make_child(world["a1"], "王小明")
    services.pair(
        township_officer,
        child,
        {"helper": volunteer, "purpose": "counselling", "started_on": dt.date(2026, 1, 1)},
    )
    api.force_authenticate(township_officer)
    made = api.post(
        "/api/v1/service-records/",
        {
            "child": child.pk,
            "helper": volunteer.pk,
            "kind": "counselling",
            "on": "2026-11-01",
            "minutes": 30,
            "topic": "适应",
            "notes": "笔记",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["notes"] == "笔记"
