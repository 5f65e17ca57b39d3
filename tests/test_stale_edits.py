"""Every edit is safe from lost updates: service points, weekly activities and social
organisations refuse a save based on a stale copy, on the page (a form error) and in the API
(409), as children and visits do — and the service refuses it too, with the row locked, so two
saves of the same version cannot both pass."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from areas.services import update_service_point
from care.models import Activity
from care.services import correct_activity
from core.concurrency import version_of
from core.exceptions import STALE_MESSAGE, Stale
from core.models import AuditEntry
from social.models import Organisation
from social.services import update_organisation
from tests.personas import make_activity, make_organisation

pytestmark = pytest.mark.django_db


# What each kind of record needs: who edits it (two people who may), how to make one, its
# page and API addresses, a field to change, and the audit action of a change.
KINDS = {
    "service point": {
        "users": ("director", "township_officer"),
        "make": lambda world, users: world["home_a1"],
        "page": "areas:service_point_edit",
        "api": "/api/v1/service-points/{pk}/",
        "field": "phone",
        "values": ("13800000001", "13900000002"),
        "action": "areas.servicepoint.updated",
    },
    "weekly activity": {
        "users": ("director", "township_officer"),
        "make": lambda world, users: make_activity(world, users[0]),
        "page": "care:activity_edit",
        "api": "/api/v1/activities/{pk}/",
        "field": "description",
        "values": ("讲安全知识", "做手工"),
        "action": "care.activity.updated",
    },
    "social organisation": {
        "users": ("township_officer", "county_officer"),
        "make": lambda world, users: make_organisation(world, users[1]),
        "page": "social:organisation_edit",
        "api": "/api/v1/organisations/{pk}/",
        "field": "contact_name",
        "values": ("李社工", "王社工"),
        "action": "social.organisation.updated",
    },
}


def _users(request, kind):
    return [request.getfixturevalue(name) for name in KINDS[kind]["users"]]


def _form_data(client, url, **changes) -> dict:
    """What the edit page's form holds, as a browser would post it back."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = "" if value is None else getattr(value, "pk", value)
    data.update(changes)
    return data


@pytest.mark.parametrize("kind", KINDS)
def test_the_second_of_two_page_saves_of_the_same_version_is_refused_with_the_message(
    request, world, kind
):
    spec = KINDS[kind]
    first_user, second_user = _users(request, kind)
    record = spec["make"](world, (first_user, second_user))
    url = reverse(spec["page"], kwargs={"pk": record.pk})
    first, second = Client(), Client()
    first.force_login(first_user)
    second.force_login(second_user)
    # Both open the edit page on the same version.
    first_data = _form_data(first, url, **{spec["field"]: spec["values"][0]})
    second_data = _form_data(second, url, **{spec["field"]: spec["values"][1]})
    assert first_data["based_on"] == second_data["based_on"] == version_of(record)

    saved = first.post(url, first_data)
    assert saved.status_code == 302, saved.context["form"].errors
    refused = second.post(url, second_data)

    assert refused.status_code == 200
    assert [str(STALE_MESSAGE)] == refused.context["form"].non_field_errors()
    assert str(STALE_MESSAGE) in refused.text
    record.refresh_from_db()
    assert getattr(record, spec["field"]) == spec["values"][0]
    assert AuditEntry.objects.filter(action=spec["action"]).count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_second_of_two_api_saves_of_the_same_version_is_a_409_with_the_message(
    request, world, kind
):
    spec = KINDS[kind]
    first_user, second_user = _users(request, kind)
    record = spec["make"](world, (first_user, second_user))
    url = spec["api"].format(pk=record.pk)
    first, second = APIClient(), APIClient()
    first.force_authenticate(first_user)
    second.force_authenticate(second_user)
    first_version = first.get(url).json()["version"]
    second_version = second.get(url).json()["version"]
    assert first_version == second_version

    saved = first.patch(
        url, {spec["field"]: spec["values"][0], "version": first_version}, format="json"
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] != first_version
    refused = second.patch(
        url, {spec["field"]: spec["values"][1], "version": second_version}, format="json"
    )

    assert refused.status_code == 409
    assert refused.json() == {"non_field_errors": [str(STALE_MESSAGE)]}
    record.refresh_from_db()
    assert getattr(record, spec["field"]) == spec["values"][0]
    assert AuditEntry.objects.filter(action=spec["action"]).count() == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("version", [None, "", "garbage", "2026-02-30T10:00:00+08:00"])
def test_an_api_change_without_a_current_version_is_refused(request, world, kind, version):
    spec = KINDS[kind]
    user = _users(request, kind)[0]
    record = spec["make"](world, _users(request, kind))
    api = APIClient()
    api.force_authenticate(user)
    body = {spec["field"]: spec["values"][0]}
    if version is not None:
        body["version"] = version
    response = api.patch(spec["api"].format(pk=record.pk), body, format="json")
    assert response.status_code == 409
    record.refresh_from_db()
    assert getattr(record, spec["field"]) != spec["values"][0]


def test_the_services_refuse_a_second_save_of_the_same_version_even_after_the_form_check(
    world, director, county_officer
):
    """The race the forms cannot see: both saves passed their form's check, then the
    service, with the row locked, refuses the second."""
    home = world["home_a1"]
    version = version_of(home)
    update_service_point(director, home, {"phone": "13800000001"}, based_on=version)
    with pytest.raises(Stale):
        update_service_point(director, home, {"phone": "13900000002"}, based_on=version)

    activity = make_activity(world, director)
    version = version_of(activity)
    correct_activity(director, activity, {"theme": "safety"}, [], [], based_on=version)
    with pytest.raises(Stale):
        correct_activity(director, activity, {"theme": "arts"}, [], [], based_on=version)
    assert Activity.objects.get(pk=activity.pk).theme == "safety"

    organisation = make_organisation(world, county_officer)
    version = version_of(organisation)
    update_organisation(county_officer, organisation, {"active": False}, based_on=version)
    with pytest.raises(Stale):
        update_organisation(county_officer, organisation, {"name": "x"}, based_on=version)
    assert Organisation.objects.get(pk=organisation.pk).name == "阳光社工"


def test_an_organisation_is_saved_by_the_service_from_page_and_api_alike(
    client, world, county_officer
):
    """Both write through social.services: the audit entry carries the field changes."""
    client.force_login(county_officer)
    made = client.post(
        reverse("social:organisation_new"),
        {"name": "  阳光社工 ", "area_codes": "341623100000", "services": ["tutoring"]},
    )
    assert made.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == "阳光社工"
    assert [a.code for a in organisation.areas.all()] == ["341623100000"]
    created = AuditEntry.objects.get(action="social.organisation.created")
    assert created.data["fields"]["areas"] == ["341623100000"]
    api = APIClient()
    api.force_authenticate(county_officer)
    url = f"/api/v1/organisations/{organisation.pk}/"
    version = api.get(url).json()["version"]
    outside = api.patch(url, {"areas": ["341600000000"], "version": version}, format="json")
    assert outside.status_code == 400 and "areas" in outside.json()
    changed = api.patch(url, {"areas": ["341623101000"], "version": version}, format="json")
    assert changed.status_code == 200, changed.json()
    entry = AuditEntry.objects.get(action="social.organisation.updated")
    assert entry.data["changes"] == {"areas": [["341623100000"], ["341623101000"]]}
