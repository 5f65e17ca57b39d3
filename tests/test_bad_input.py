"""No 500 on any input: garbage query strings and form posts get a page or a clear error."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from tests.personas import CONCERN

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
    "round": ["x", "-1", "99999999999999999999"],
    "programme": ["x", "99999", "99999999999999999999", "-99999999999999999999"],
    "child": ["x", "-1", "99999999999999999999", "9223372036854775808", "1e9"],
    "home": ["x", "-1", "99999999999999999999"],
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
    "api:child-list",
    "api:visit-list",
    "api:activity-list",
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
    from tests.personas import make_child

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


# -- ids: huge, negative, non-numeric -------------------------------------------------------

# Beyond the largest bigint (SQLite's driver raises OverflowError, PostgreSQL "out of range"),
# the largest bigint plus one, negative, zero, and not a number at all.
BAD_IDS = [
    "99999999999999999999",
    "9223372036854775808",
    "-99999999999999999999",
    "-1",
    "0",
    "x",
    "1e9",
    "12abc",
    "١٢",  # Arabic-Indic digits: str.isdigit() says yes, the database would not
]


def _id_filters():
    """Every id-like filter of every API list: (route name, parameter, filter)."""
    import django_filters

    from shouhu.api import router

    found = []
    for prefix, viewset, basename in router.registry:
        assert not getattr(viewset, "filterset_fields", None), (
            f"/api/v1/{prefix}/ declares filterset_fields: give it a filterset_class whose "
            "id filters are core.filters.IdFilter or ModelIdFilter"
        )
        filterset = getattr(viewset, "filterset_class", None)
        for name, filter_ in filterset.base_filters.items() if filterset else []:
            id_like = isinstance(
                filter_,
                django_filters.ModelChoiceFilter
                | django_filters.ModelMultipleChoiceFilter
                | django_filters.NumberFilter,
            ) or (filter_.field_name or "").endswith(("_id", "pk"))
            if id_like:
                found.append((f"api:{basename}-list", name, filter_))
    return found


def test_every_id_filter_of_the_api_is_the_shared_one():
    """One place checks an id in a query string (core.filters): a filter on a record or a
    number that is not built on it would let a huge value reach the database."""
    from core.filters import IdFilter, ModelIdFilter

    filters = _id_filters()
    assert {(route, name) for route, name, _f in filters} >= {
        ("api:visit-list", "child"),
        ("api:activity-list", "home"),
        ("api:relief-measure-list", "child"),
        ("api:relief-measure-list", "programme"),
        ("api:assistance-contact-list", "child"),
        ("api:return-list", "round"),
    }
    for route, name, filter_ in filters:
        assert isinstance(filter_, IdFilter | ModelIdFilter), (route, name, type(filter_))


@pytest.mark.parametrize("route,name", [(r, n) for r, n, _f in _id_filters()])
def test_a_bad_id_in_an_api_filter_is_a_400_naming_the_parameter(
    route, name, county_officer, world
):
    from rest_framework.test import APIClient

    from tests.personas import make_child

    make_child(world["a1"])
    api = APIClient()
    api.force_authenticate(county_officer)
    url = reverse(route)
    for value in BAD_IDS:
        response = api.get(url, {name: value})
        assert response.status_code == 400, (value, response.status_code)
        assert name in response.json(), (value, response.json())


def test_a_bad_id_message_says_what_to_give(county_officer, world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county_officer)
    for url in ("/api/v1/relief-measures/", "/api/v1/visits/"):
        response = api.get(url, {"child": "99999999999999999999"})
        assert response.json() == {
            "child": ["请填写记录编号：1 至 9223372036854775807 之间的整数。"]
        }
    ok = api.get("/api/v1/relief-measures/", {"child": "9223372036854775807"})
    assert ok.status_code == 200 and ok.json()["count"] == 0


@pytest.mark.parametrize("name", PAGES)
def test_bad_ids_in_any_query_parameter_of_a_page_never_give_a_500(
    client, county_officer, world, name
):
    client.force_login(county_officer)
    url = reverse(name)
    for key in ("child", "programme", "home", "round", "helper", "id", "pk", "area", "page"):
        for value in BAD_IDS:
            response = client.get(url, {key: value})
            assert response.status_code < 500, (key, value, response.status_code)


def test_bad_ids_in_api_paths_are_404_and_in_bodies_400(client, county_officer, world):
    from rest_framework.test import APIClient

    from shouhu.api import router

    api = APIClient()
    api.force_authenticate(county_officer)
    for prefix, viewset, _basename in router.registry:
        if getattr(viewset, "lookup_field", "pk") != "pk":
            continue
        for value in BAD_IDS:
            response = api.get(f"/api/v1/{prefix}/{value}/")
            assert response.status_code == 404, (prefix, value, response.status_code)
    from rounds.services import open_round

    the_round = open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    ret = the_round.returns.get(area=world["a1"])
    for value in ("99999999999999999999", "-99999999999999999999", "x"):
        for url, body in (
            ("/api/v1/visits/", {"child": value, "visited_on": "2026-11-01"}),
            ("/api/v1/activities/", {"home": value, "held_on": "2026-11-01", "theme": "arts"}),
            ("/api/v1/relief-measures/", {"child": value, "programme": value}),
            ("/api/v1/pairings/", {"child": value, "helper": value, "purpose": "tutoring"}),
            (f"/api/v1/returns/{ret.pk}/check/", {"child": value}),
        ):
            response = api.post(url, body, format="json")
            assert response.status_code == 400, (url, value, response.status_code)


def test_a_bad_child_id_in_a_report_link_is_a_400(county_officer, world):
    from rest_framework.test import APIClient

    from concerns import services

    report = services.receive(
        {
            **CONCERN,
            "area": world["a1"],
            "urgency": "normal",
        },
        source="public",
    )
    api = APIClient()
    api.force_authenticate(county_officer)
    url = f"/api/v1/reports-of-concern/{report.pk}/link/"
    for value in ("x", "99999999999999999999", "-1", [], {}, None):
        response = api.post(url, {"child": value}, format="json")
        assert response.status_code == 400 and "child" in response.json(), value


def test_a_bad_id_in_a_list_pages_filter_is_shown_next_to_the_filter(client, county_officer, world):
    client.force_login(county_officer)
    response = client.get(reverse("relief:measure_list"), {"programme": "99999999999999999999"})
    assert response.status_code == 200
    assert 'data-testid="filter-error-programme"' in response.text
    assert "请填写记录编号" in response.text
