import datetime as dt

import pytest
from rest_framework.test import APIClient

from care.models import Activity, Visit
from core.models import AuditEntry
from tests.personas import make_child


@pytest.fixture
def api():
    return APIClient()


def test_record_a_visit_through_the_api(api, director, world):
    child = make_child(world["a1"])
    api.force_authenticate(director)
    body = {
        "child": child.pk,
        "visited_on": dt.date.today().isoformat(),
        "mode": "home",
        "safety": "concern",
    }
    response = api.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400 and "safety_note" in response.json()
    body["safety_note"] = "电线裸露"
    response = api.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    child.refresh_from_db()
    assert child.care_level == "special"


def test_another_villages_child_cannot_be_visited(api, director, world):
    other = make_child(world["b1"])
    api.force_authenticate(director)
    response = api.post(
        "/api/v1/visits/",
        {"child": other.pk, "visited_on": dt.date.today().isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "child" in response.json()
    assert not Visit.objects.exists()


def test_a_correction_needs_the_version_and_keeps_history(api, director, world):
    from care.services import record_visit

    child = make_child(world["a1"])
    visit = record_visit(director, child, {"visited_on": dt.date.today(), "problems": "无"})
    api.force_authenticate(director)
    url = f"/api/v1/visits/{visit.pk}/"
    version = api.get(url).json()["version"]
    assert AuditEntry.objects.filter(action="care.visit.read").exists()
    stale = api.patch(url, {"problems": "x", "version": "2020-01-01T00:00:00Z"}, format="json")
    assert stale.status_code == 409
    ok = api.patch(url, {"problems": "作业未完成", "version": version}, format="json")
    assert ok.status_code == 200, ok.json()
    assert visit.changes.get().changes["problems"][0] == "无"
    assert api.delete(url).status_code == 405


def activity(world):
    """An activity of today at village A1's children's home, as the API takes it."""
    return {"home": world["home_a1"].pk, "held_on": dt.date.today().isoformat(), "theme": "arts"}


def test_activities_and_the_worklist(api, director, world):
    child = make_child(world["a1"])
    api.force_authenticate(director)
    made = {**activity(world), "children": [child.pk], "adults": 1}
    response = api.post("/api/v1/activities/", made, format="json")
    assert response.status_code == 201, response.json()
    assert Activity.objects.get().children.get() == child
    bad = api.post(
        "/api/v1/activities/",
        {"home": world["home_b1"].pk, "held_on": dt.date.today().isoformat(), "theme": "arts"},
        format="json",
    )
    assert bad.status_code == 400 and "home" in bad.json()
    worklist = api.get("/api/v1/worklist/").json()
    assert [i["child"] for i in worklist["items"]] == [child.pk]
    assert worklist["items"][0]["state"] in {"overdue", "due_soon"}


def test_api_lists_run_a_bounded_number_of_queries(
    api, county_officer, director, world, volunteer, django_assert_max_num_queries
):
    from care.models import Activity
    from care.services import record_activity, record_visit

    for i in range(15):
        child = make_child(world["a1"], f"王{i}")
        record_visit(director, child, {"visited_on": dt.date.today()})
        record_activity(
            director,
            {"home": world["home_a1"], "held_on": dt.date.today(), "theme": "arts"},
            [child],
            [volunteer],
        )
    assert Activity.objects.count() == 15
    api.force_authenticate(county_officer)
    for url in ("/api/v1/visits/", "/api/v1/activities/"):
        # The list's, the reader's hourly budget, the audit entry with its chain head.
        with django_assert_max_num_queries(8):
            assert api.get(url).status_code == 200


def test_bad_input_to_the_care_api_is_400_not_500(api, director, world, other_director):
    other = make_child(world["b1"], "外村")
    api.force_authenticate(director)
    huge = api.post("/api/v1/activities/", {**activity(world), "children": [10**30]}, format="json")
    assert huge.status_code == 400
    # another village's child in a filter is "not a valid choice", like a missing one
    assert api.get("/api/v1/visits/", {"child": other.pk}).status_code == 400
    assert api.get("/api/v1/visits/", {"child": 999999}).status_code == 400


def test_a_non_numeric_home_on_the_activity_form_is_a_field_error(client, director, world):
    from django.urls import reverse

    client.force_login(director)
    response = client.post(reverse("care:activity_new"), {"home": "abc", "held_on": "x"})
    assert response.status_code == 200 and "home" in response.context["form"].errors
