"""The REST API: token login, scoping, writes through the service functions, OpenAPI."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEntry


@pytest.fixture
def api():
    return APIClient()


def token_for(api, username):
    response = api.post("/api/v1/auth/token/", {"username": username, "password": "pw-test-123"})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_login_and_scoped_listing(api, director, world):
    token = token_for(api, "director")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    areas = api.get("/api/v1/areas/").json()
    assert [a["code"] for a in areas["results"]] == [world["a1"].code]
    points = api.get("/api/v1/service-points/").json()["results"]
    assert [p["name"] for p in points] == ["王庄村儿童之家"]
    assert AuditEntry.objects.filter(action="auth.token_issued", actor=director).exists()


def test_wrong_password_gives_400_and_is_audited(api, director):
    response = api.post("/api/v1/auth/token/", {"username": "director", "password": "nope"})
    assert response.status_code == 400
    assert AuditEntry.objects.filter(action="auth.login_failed").exists()


def test_unauthenticated_call_is_401(api, world):
    assert api.get("/api/v1/areas/").status_code == 401


def test_township_filters_areas_by_level(api, township_officer):
    api.force_authenticate(township_officer)
    data = api.get("/api/v1/areas/", {"level": "village"}).json()
    assert {a["code"] for a in data["results"]} == {"341623100201", "341623100202"}


def test_director_patches_own_home_through_the_audited_service(api, director, world):
    api.force_authenticate(director)
    url = f"/api/v1/service-points/{world['home_a1'].pk}/"
    version = api.get(url).json()["version"]
    response = api.patch(
        url, {"opening_hours": "周日 9:00-11:00", "version": version}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["opening_hours"] == "周日 9:00-11:00"
    entry = AuditEntry.objects.get(action="areas.servicepoint.updated")
    assert entry.data["changes"]["opening_hours"] == ["", "周日 9:00-11:00"]


def test_bad_patch_gives_field_errors(api, director, world):
    api.force_authenticate(director)
    url = f"/api/v1/service-points/{world['home_a1'].pk}/"
    response = api.patch(url, {"floor_area_m2": "-1", "name": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"floor_area_m2", "name"}


def test_leader_cannot_write_and_outsiders_get_404(api, leader, other_director, world):
    url = f"/api/v1/service-points/{world['home_a1'].pk}/"
    api.force_authenticate(leader)
    assert api.patch(url, {"phone": "1"}, format="json").status_code == 403
    api.force_authenticate(other_director)
    assert api.patch(url, {"phone": "1"}, format="json").status_code == 404


def test_openapi_schema_documents_the_endpoints(api, county_officer):
    api.force_authenticate(county_officer)
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/areas/",
        "/api/v1/service-points/{id}/",
        "/api/v1/people/",
        "/api/v1/auth/token/",
    ]:
        assert path in paths


def test_api_docs_load_swagger_ui_locally(client, county_officer):
    client.force_login(county_officer)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_list_query_count_is_bounded(api, county_officer, world, django_assert_max_num_queries):
    api.force_authenticate(county_officer)
    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/people/").status_code == 200


def test_token_endpoint_locks_an_account_after_ten_failures(api, director):
    statuses = [
        api.post(
            "/api/v1/auth/token/", {"username": "director", "password": f"guess{i}"}
        ).status_code
        for i in range(11)
    ]
    assert statuses == [400] * 9 + [429] * 2  # the tenth failure locks (core.login_limits)
    right = api.post("/api/v1/auth/token/", {"username": "director", "password": "pw-test-123"})
    assert right.status_code == 429  # locked, whatever the password


def test_forged_forwarded_for_headers_do_not_escape_the_lock(api, director):
    for i in range(10):
        api.post(
            "/api/v1/auth/token/",
            {"username": "director", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "director", "password": "x"},
        HTTP_X_FORWARDED_FOR="10.0.1.1",
    )
    assert response.status_code == 429
