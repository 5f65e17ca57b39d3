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
    "status": ["forever", "current"],
    "state": ["limbo"],
    "round": ["x", "-1"],
    "programme": ["x", "99999"],
    "village": ["x", "341623"],
    "show": ["everything"],
    "all": ["nonsense", "overdue_returns"],
}

PAGES = [
    "home",
    "audit_log",
    "areas:service_point_list",
    "people:gaps",
    "people:person_list",
    "rounds:list",
    "rounds:inbox",
    "relief:measure_list",
    "relief:catalogue",
    "villagefiles:gaps",
    "social:organisations",
    "social:helpers",
    "social:my_children",
    "concerns:list",
    "concerns:inbox",
    "concerns:new",
    "concerns:public",
]
API = [
    "api:area-list",
    "api:service-point-list",
    "api:person-list",
    "api:responsibility-post-list",
    "api:round-list",
    "api:return-list",
    "api:programme-list",
    "api:relief-measure-list",
    "api:assistance-contact-list",
    "api:organisation-list",
    "api:helper-list",
    "api:pairing-list",
    "api:service-record-list",
    "api:report-of-concern-list",
]


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


def test_garbage_in_the_round_forms_and_actions_is_a_clear_error(client, county_officer, world):
    from rest_framework.test import APIClient

    client.force_login(county_officer)
    page = client.post(
        reverse("rounds:open"), {"year": "二〇二六", "quarter": "5", "due_on": "2026-02-30"}
    )
    assert page.status_code == 200
    assert {"error-year", "error-quarter", "error-due_on"} <= {
        f"error-{name}" for name in ("year", "quarter", "due_on") if f"error-{name}" in page.text
    }
    api = APIClient()
    api.force_authenticate(county_officer)
    assert (
        api.post(
            "/api/v1/rounds/", {"year": "x", "quarter": [], "due_on": {}}, format="json"
        ).status_code
        == 400
    )
    client.post(reverse("rounds:open"), {"year": "2026", "quarter": "4", "due_on": "2027-01-15"})
    from rounds.models import VillageReturn

    ret = VillageReturn.objects.first()
    for body in ({"child": "x"}, {"child": ""}, {"note": "x" * 5000}):
        assert api.post(f"/api/v1/returns/{ret.pk}/check/", body, format="json").status_code == 400
    url = reverse("rounds:review", args=[ret.pk])
    early = client.post(url, {"decision": "approve"}, follow=True)
    assert "只能审核已提交的报表" in early.text
    from rounds.services import submit_return

    submit_return(county_officer, ret)
    review = client.post(url, {"decision": "maybe", "comment": "x" * 3000})
    assert review.status_code == 200
    assert "error-decision" in review.text and "error-comment" in review.text


def test_garbage_in_the_public_report_and_social_forms_is_a_clear_error(client, world, director):
    from django.core.cache import cache

    cache.clear()
    page = client.post(
        reverse("concerns:public"),
        {
            "area": "x",
            "situation": "castle",
            "urgency": [],
            "child_age": "1e9",
            "description": "\x00" * 3,
        },
    )
    assert page.status_code == 200 and 'data-testid="error-area"' in page.text
    from core.testing import make_child

    child = make_child(world["a1"], "王小明")
    client.force_login(director)
    for url, data in (
        (reverse("social:pair", args=[child.pk]), {"helper": "x", "started_on": "2026-02-30"}),
        (
            reverse("social:service_new", args=[child.pk]),
            {"kind": "x", "on": "0000-00-00", "amount": "1e99"},
        ),
        (reverse("concerns:change_new", args=[child.pk]), {"kind": "castle", "on": "yesterday"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
