"""/api/v1/concerns/: scoped like the pages, and each step calls the same service, so the
API refuses what the pages refuse."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from children.api import concerns as concern_api
from children.policy import concerns as policy
from children.services import concerns as services
from tests.personas import make_child


@pytest.fixture
def api():
    return APIClient()


def url(concern=None, step=""):
    base = "/api/v1/concerns/"
    if concern is None:
        return base
    return f"{base}{concern.pk}/" + (f"{step}/" if step else "")


def test_every_step_of_the_policy_has_an_api_action():
    assert set(concern_api.ACTIONS) == set(policy.STEPS)


def test_the_list_is_scoped_and_open_by_default(api, director, other_director, world):
    mine = services.open_concern(director, make_child(world["a1"]), "营养不良", source="visit")
    closed = services.open_concern(director, make_child(world["a1"], "乙"), "缺课", source="visit")
    services.resolve(director, closed, "已返校")
    services.open_concern(None, make_child(world["b1"], "丙"), "无人照看", source="visit")
    api.force_authenticate(director)
    body = api.get(url()).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["steps"] == ["take_action", "resolve", "refer"]
    assert {r["id"] for r in api.get(url(), {"state": "all"}).json()["results"]} == {
        mine.pk,
        closed.pk,
    }
    api.force_authenticate(other_director)
    assert api.get(url(mine)).status_code == 404


def test_the_api_refuses_what_the_pages_refuse(api, director, leader, township_officer, world):
    child = make_child(world["a1"])
    concern = services.open_concern(
        director, child, "疑似遭受暴力", source="visit", urgency="urgent", report="疑似遭受暴力"
    )
    api.force_authenticate(leader)
    assert api.post(url(concern, "resolve"), {"outcome": "x"}).status_code == 403
    api.force_authenticate(director)
    response = api.post(url(concern, "resolve"), {"outcome": ""})
    assert response.status_code == 400 and "outcome" in response.json()
    response = api.post(url(concern, "resolve"), {"outcome": "已处理"})
    assert response.status_code == 400 and "outcome" in response.json()  # not reported yet
    response = api.post(url(concern, "report-made"), {"reported_to": "派出所", "reported_on": "x"})
    assert response.status_code == 400 and "reported_on" in response.json()
    today = timezone.localdate().isoformat()
    response = api.post(
        url(concern, "report-made"), {"reported_to": "城关派出所", "reported_on": today}
    )
    assert response.status_code == 200 and response.json()["reported_on"] == today
    version = response.json()["version"]
    response = api.post(url(concern, "resolve"), {"outcome": "已处理", "version": version})
    assert response.json()["state"] == "awaiting_confirmation"
    response = api.post(url(concern, "resolve"), {"outcome": "again", "version": version})
    assert response.status_code in (400, 409)
    assert api.post(url(concern, "confirm"), {}).status_code == 403  # only the supervisor
    api.force_authenticate(township_officer)
    response = api.post(url(concern, "confirm"), {"note": "同意", "version": version})
    assert response.status_code == 409  # based on the version before the proposal
    response = api.post(url(concern, "confirm"), {"note": "同意"})
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    child.refresh_from_db()
    assert child.care_level == "ordinary" and not child.needs_report


def test_the_list_runs_a_bounded_number_of_queries(
    api, director, world, django_assert_max_num_queries
):
    for i in range(8):
        services.open_concern(director, make_child(world["a1"], f"童{i}"), "缺课", source="visit")
    api.force_authenticate(director)
    with django_assert_max_num_queries(6):
        body = api.get(url()).json()
    assert body["count"] == 8


def test_reading_a_concern_through_the_api_is_audited(client, director, world):
    from children.services.concerns import open_concern
    from core.models import AuditEntry

    child = make_child(world["a1"], "王小明")
    concern = open_concern(director, child, "作业无人辅导", source="visit")
    client.force_login(director)
    response = client.get(f"/api/v1/concerns/{concern.pk}/")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(
        action="children.concern.read", object_id=str(concern.pk), data__via="api"
    ).exists()


def test_a_refused_concern_filter_is_a_400_never_the_whole_list(client, director, world):
    child = make_child(world["a1"], "王小明")
    services.open_concern(director, child, "作业无人辅导", source="visit")
    client.force_login(director)
    for query in ("area=341623101201", "area=999999999999", "urgency=castle"):
        assert client.get(f"/api/v1/concerns/?{query}").status_code == 400
        page = client.get(f"/children/concerns/?{query}")
        assert page.status_code == 400 and "作业无人辅导" not in page.text
    assert client.get("/api/v1/concerns/?state=open").status_code == 200
