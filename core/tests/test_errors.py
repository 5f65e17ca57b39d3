"""Errors under /api/ are JSON, as the schema's `Error`; pages keep the site's pages."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_a_path_no_api_route_takes_answers_a_json_404(client, county_officer):
    client.force_login(county_officer)
    response = client.get("/api/v1/children/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_a_page_that_does_not_exist_is_still_the_sites_page(client, county_officer):
    client.force_login(county_officer)
    response = client.get("/children/nowhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(ROOT_URLCONF="core.tests.broken_urls")
def test_a_server_error_under_the_api_is_json():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/broken/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_a_search_term_with_a_nul_is_ignored_where_nothing_is_searched(client, county_officer):
    client.force_login(county_officer)
    response = client.get("/api/v1/organisations/", {"search": "a\x00b"})
    assert response.status_code == 200


def test_a_refused_search_term_is_a_field_error(county_officer):
    from rest_framework.exceptions import ValidationError
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from core.search import SearchFilter

    class View:
        search_fields = ["name"]

    request = APIRequestFactory().get("/", {"search": "a\x00b"})
    with pytest.raises(ValidationError) as refused:
        SearchFilter().filter_queryset(Request(request), None, View())
    assert list(refused.value.detail) == ["search"]


@pytest.mark.parametrize("body", ["0", "[]", '"note"', "1.5e16", "null"])
def test_a_json_body_that_is_not_an_object_is_a_400_not_a_500(county_officer, world, body):
    """Found by the fuzzing pass: a concern step read `data.get(…)` of a bare number."""
    from rest_framework.test import APIClient

    from children.services.concerns import open_concern
    from tests.personas import make_child

    concern = open_concern(county_officer, make_child(world["a1"]), "作业无人辅导", source="visit")
    api = APIClient()
    api.force_authenticate(county_officer)
    for step in ("reassign", "report-made", "take-action"):
        response = api.post(
            f"/api/v1/concerns/{concern.pk}/{step}/", body, content_type="application/json"
        )
        assert response.status_code == 400, (step, response.content)
        assert response.json() == {"non_field_errors": ["请以 JSON 对象发送各字段。"]}


def test_the_token_endpoint_refuses_a_json_body_that_is_not_an_object(db):
    """Not fuzzed (it counts wrong passwords); the same 500 was there."""
    response = Client().post("/api/v1/auth/token/", "0", content_type="application/json")
    assert response.status_code == 400
