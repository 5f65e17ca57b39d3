"""No 500 on any input: garbage query strings and form posts get a page or a clear error."""

import pytest
from django.db import connection
from django.urls import reverse

GARBAGE = {
    "page": ["-1", "abc", "999999", "1e9"],
    "q": ["' OR 1=1 --", "%", "_", "\x00", "x" * 5000],
    "since": ["2026-13-45", "yesterday"],
    "until": ["0000-00-00"],
    "level": ["nonsense"],
    "kind": ["castle"],
    "role": ["king"],
    "area": ["'; DROP TABLE areas_area; --"],
    "parent": ["x"],
    "ordering": ["-password", "nonexistent"],
}

PAGES = ["home", "audit_log", "areas:service_point_list", "people:gaps", "people:person_list"]
API = ["api:area-list", "api:service-point-list", "api:person-list", "api:responsibility-post-list"]


@pytest.mark.parametrize("name", PAGES + API)
def test_garbage_query_strings_never_give_a_500(client, county_officer, name):
    client.force_login(county_officer)
    url = reverse(name)
    for key, values in GARBAGE.items():
        for value in values:
            response = client.get(url, {key: value})
            assert response.status_code < 500, (key, value, response.status_code)


@pytest.mark.parametrize("code", ["x", "3416231002011", "'--", "%25", "000000000000"])
def test_malformed_area_codes_are_404(client, county_officer, code):
    client.force_login(county_officer)
    assert client.get(f"/areas/{code}/").status_code == 404


def test_oversized_and_malformed_form_values_are_field_errors(client, director, world):
    client.force_login(director)
    url = reverse("areas:service_point_edit", kwargs={"pk": world["home_a1"].pk})
    response = client.post(
        url, {"name": "x" * 500, "floor_area_m2": "1e99", "phone": "1" * 100, "based_on": "garbage"}
    )
    assert response.status_code == 200
    assert {"name", "floor_area_m2", "phone"} <= set(response.context["form"].errors)


def test_token_endpoint_with_missing_fields_is_400(client, db):
    response = client.post("/api/v1/auth/token/", {})
    assert response.status_code == 400
    assert {"username", "password"} <= set(response.json())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_embedded_sqlite_runs_in_wal_mode(db, tmp_path, settings):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    config = {**settings.DATABASES["default"], "NAME": str(tmp_path / "wal.sqlite3")}
    config.setdefault("OPTIONS", {})
    wrapper = DatabaseWrapper(config, alias="wal-check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        wrapper.close()
