"""The reports-of-concern API and the public endpoint: scoping, validation, confidentiality,
audit and the throttle."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from concerns.models import ConcernReport
from tests.personas import CONCERN, REPORTER, make_child

pytestmark = pytest.mark.django_db

REPORT = {**CONCERN, **REPORTER}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_the_public_endpoint_is_validated(world):
    api = APIClient()
    bad = api.post(
        "/api/v1/public-reports/",
        {**REPORT, "area": "999999999999", "description": ""},
        format="json",
    )
    assert bad.status_code == 400 and {"area", "description"} <= set(bad.json())
    made = api.post("/api/v1/public-reports/", {**REPORT, "area": world["a1"].code}, format="json")
    assert made.status_code == 201 and set(made.json()) == {"reference"}
    assert ConcernReport.objects.count() == 1
    # The limit and the robot trap: concerns/tests/test_public_guard.py


def test_staff_file_and_handle_reports(world, director, other_director, township_officer):
    child = make_child(world["a1"], "王小明")
    api = APIClient()
    api.force_authenticate(director)
    made = api.post(
        "/api/v1/reports-of-concern/", {**REPORT, "area": world["a1"].code}, format="json"
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert "reporter_phone" not in body and body["state"] == "received"
    pk = body["id"]
    outside = api.post(
        "/api/v1/reports-of-concern/", {**REPORT, "area": world["b1"].code}, format="json"
    )
    assert outside.status_code == 400 and "area" in outside.json()
    assert (
        api.post(
            f"/api/v1/reports-of-concern/{pk}/link/", {"child": child.pk}, format="json"
        ).status_code
        == 200
    )
    back = api.post(
        f"/api/v1/reports-of-concern/{pk}/advance/", {"state": "received"}, format="json"
    )
    assert back.status_code == 400 and "state" in back.json()
    close = api.post(
        f"/api/v1/reports-of-concern/{pk}/advance/", {"state": "closed"}, format="json"
    )
    assert close.status_code == 400 and "outcome" in close.json()
    done = api.post(
        f"/api/v1/reports-of-concern/{pk}/advance/",
        {"state": "closed", "outcome": "已落实照护", "referral": "school"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "closed"
    api.force_authenticate(other_director)
    assert api.get(f"/api/v1/reports-of-concern/{pk}/").status_code == 404
    api.force_authenticate(township_officer)
    seen = api.get(f"/api/v1/reports-of-concern/{pk}/").json()
    assert seen["reporter_name"] == str(director)
