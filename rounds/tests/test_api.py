"""The round's API: scoping, explicit workflow actions, refusals with reasons, audit."""

import pytest
from rest_framework.test import APIClient

from core.audit import AuditEntry
from rounds.models import ReturnState, Round, VillageReturn
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def children(world):
    return [make_child(world["a1"], "王小明"), make_child(world["a1"], "王小红")]


def open_q4(api, user):
    api.force_authenticate(user)
    return api.post("/api/v1/rounds/", {"year": 2026, "quarter": 4, "due_on": "2027-01-15"})


def test_only_a_county_officer_opens_and_a_second_open_round_is_refused(
    api, world, children, county_officer, township_officer
):
    assert open_q4(api, township_officer).status_code == 403
    created = open_q4(api, county_officer)
    assert created.status_code == 201 and created.json()["label"] == "2026-Q4"
    again = api.post("/api/v1/rounds/", {"year": 2026, "quarter": 3, "due_on": "2026-10-15"})
    assert again.status_code == 409
    bad = api.post("/api/v1/rounds/", {"year": 2026, "quarter": 9, "due_on": "soon"})
    assert bad.status_code == 400 and {"quarter", "due_on"} <= set(bad.json())


def test_the_workflow_through_the_api(
    api, world, children, county_officer, director, township_officer, other_director
):
    open_q4(api, county_officer)
    ret = VillageReturn.objects.get(area=world["a1"])
    url = f"/api/v1/returns/{ret.pk}/"
    api.force_authenticate(other_director)
    assert api.get(url).status_code == 404
    api.force_authenticate(director)
    assert api.post(url + "submit/").status_code == 409  # nobody checked yet
    assert api.post(url + "check/", {"child": 999999}).status_code == 400
    for child in children:
        assert api.post(url + "check/", {"child": child.pk}).status_code == 200
    body = api.get(url).json()
    assert body["state"] == "in_progress" and len(body["checks"]) == 2
    assert api.post(url + "approve/").status_code == 403  # a director cannot approve
    api.force_authenticate(township_officer)
    assert api.post(url + "approve/").status_code == 409  # not submitted yet
    api.force_authenticate(director)
    submitted = api.post(url + "submit/")
    assert submitted.status_code == 200 and submitted.json()["submitted_by"] == "director"
    api.force_authenticate(township_officer)
    assert api.post(url + "return/", {"comment": ""}).status_code == 400
    returned = api.post(url + "return/", {"comment": "请核对"})
    assert returned.json()["state"] == "returned"
    api.force_authenticate(director)
    api.post(url + "submit/")
    api.force_authenticate(township_officer)
    approved = api.post(url + "approve/", {"comment": "好"})
    assert approved.json()["state"] == ReturnState.APPROVED
    assert AuditEntry.objects.filter(action="round.approved").exists()
    listing = api.get("/api/v1/returns/", {"state": "approved"}).json()
    assert [r["area"] for r in listing["results"]] == [world["a1"].code]


def test_township_summary_and_close_actions(
    api, world, children, county_officer, director, township_officer, other_township_officer
):
    open_q4(api, county_officer)
    the_round = Round.objects.get()
    api.force_authenticate(township_officer)
    summary = api.post(
        f"/api/v1/rounds/{the_round.pk}/township-summary/", {"township": world["a"].code}
    )
    assert summary.status_code == 409  # villages not approved
    api.force_authenticate(other_township_officer)
    assert (
        api.post(
            f"/api/v1/rounds/{the_round.pk}/township-summary/", {"township": world["a"].code}
        ).status_code
        == 404
    )
    api.force_authenticate(township_officer)
    assert api.post(f"/api/v1/rounds/{the_round.pk}/close/").status_code == 403
    api.force_authenticate(county_officer)
    assert api.post(f"/api/v1/rounds/{the_round.pk}/close/").status_code == 409


def test_leader_reads_rounds_but_cannot_act(api, world, children, county_officer, leader):
    open_q4(api, county_officer)
    api.force_authenticate(leader)
    assert api.get("/api/v1/rounds/").json()["count"] == 1
    ret = VillageReturn.objects.get(area=world["a1"])
    assert api.post(f"/api/v1/returns/{ret.pk}/submit/").status_code == 403
    assert open_q4(api, leader).status_code == 403
