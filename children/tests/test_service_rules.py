"""The registry's rules live in its services: register_child and update_child refuse what the
forms, the API and the import refuse, with the same messages (issue 12, point 4). Each
refusal is tested on the service directly, then the same message is looked for through the
page's form, the API and the Excel import."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from children import services
from children.models import Child, ImportJob
from children.tests.test_import import upload, workbook
from children.tests.test_registry_pages import fewest_fields
from core import idnumber
from tests.personas import A1, make_child

BORN = dt.date(2016, 5, 1)
BOY_ID = idnumber.make("341623", BORN, 123)  # odd sequence: a boy born on BORN
TODAY = timezone.localdate()
ADULT_BORN = TODAY.replace(year=TODAY.year - 18) - dt.timedelta(days=1)
OLD_15 = "341623160501123"  # first-generation number: 2-digit year, no check character


def wrong_check(number: str) -> str:
    """The number with a wrong check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


# name → (what the child looks like, the identity number typed, the field refused)
CASES = {
    "malformed": ({}, wrong_check(BOY_ID), "id_number"),
    "old_15_digit": ({}, OLD_15, "id_number"),
    "contradicts_sex": ({"sex": "F"}, BOY_ID, "sex"),
    "contradicts_birth_date": ({"birth_date": BORN + dt.timedelta(days=1)}, BOY_ID, "birth_date"),
    "aged_18": (
        {"birth_date": ADULT_BORN},
        idnumber.make("341623", ADULT_BORN, 123),
        "birth_date",
    ),
}


def child_data(world, **overrides):
    data = {
        "area": world["a1"],
        "name": "王小虎",
        "sex": "M",
        "birth_date": BORN,
        "hukou_type": "rural",
        "health": "healthy",
    }
    data.update(overrides)
    return data


PARENTS = {
    "father": {"name": "王大山", "status": "migrant", "work_province": "浙江"},
    "mother": {"name": "刘梅", "status": "migrant", "work_province": "江苏"},
}


def service_message(actor, world, overrides, number, field):
    """The message the service refuses with, in Chinese."""
    with pytest.raises(ValidationError) as refused:
        services.register_child(
            actor, child_data(world, **overrides), id_number=number, parents=PARENTS
        )
    with translation.override("zh-hans"):
        return refused.value.message_dict[field][0]


def form_messages(client, world, overrides, number, field):
    data = fewest_fields(
        world,
        sex=overrides.get("sex", "M"),
        birth_date=overrides.get("birth_date", BORN).isoformat(),
        id_number=number,
    )
    response = client.post(reverse("children:new"), data)
    assert response.status_code == 200
    return [str(m) for m in response.context["form"].errors.get(field, [])]


def api_messages(user, world, overrides, number, field):
    api = APIClient()
    api.force_authenticate(user)
    body = {
        "area": A1,
        "name": "王小虎",
        "sex": overrides.get("sex", "M"),
        "birth_date": overrides.get("birth_date", BORN).isoformat(),
        "id_number": number,
        "father": {"status": "migrant", "work_province": "浙江"},
        "mother": {"status": "migrant", "work_province": "江苏"},
    }
    response = api.post("/api/v1/children/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400, response.json()
    return response.json().get(field, [])


def import_messages(client, overrides, number):
    row = {
        "village_code": A1,
        "name": "王小虎",
        "sex": overrides.get("sex", "M"),
        "birth_date": overrides.get("birth_date", BORN),
        "id_number": number,
        "father.status": "migrant",
        "father.work_province": "浙江",
        "mother.status": "migrant",
        "mother.work_province": "江苏",
    }
    job = upload(client, workbook(row))
    assert job.state == ImportJob.State.INVALID
    return [e["message"] for e in job.report["errors"]]


@pytest.mark.parametrize("case", list(CASES))
def test_the_service_refuses_it_and_the_form_api_and_import_say_the_same(
    case, client, director, world
):
    overrides, number, field = CASES[case]
    message = service_message(director, world, overrides, number, field)
    assert not Child.objects.exists()
    client.force_login(director)
    assert message in form_messages(client, world, overrides, number, field)
    assert message in api_messages(director, world, overrides, number, field)
    assert message in import_messages(client, overrides, number)


def test_a_second_registration_of_the_same_number_is_refused_everywhere_alike(
    client, director, world
):
    make_child(world["a1"], "王小明", id_number=BOY_ID)
    message = service_message(director, world, {}, BOY_ID, "id_number")
    assert "王小明" in message  # the holder is in the director's own village: named
    client.force_login(director)
    assert message in form_messages(client, world, {}, BOY_ID, "id_number")
    assert message in api_messages(director, world, {}, BOY_ID, "id_number")
    assert message in import_messages(client, {}, BOY_ID)
    assert Child.objects.count() == 1


def test_a_duplicate_in_another_jurisdiction_is_not_named_by_the_service(
    world, director, other_director
):
    make_child(world["b1"], "李小红", id_number=BOY_ID)
    message = service_message(director, world, {}, BOY_ID, "id_number")
    assert "李小红" not in message and "其他辖区" in message


def test_the_15_digit_message_says_it_is_the_old_format_and_where_to_find_the_new_one(
    director, world
):
    message = service_message(director, world, {}, OLD_15, "id_number")
    assert "15位" in message and "户口簿" in message and "派出所" in message
    with pytest.raises(ValidationError) as refused:
        idnumber.parse(OLD_15)
    assert refused.value.code == "old_format"


def test_update_child_refuses_a_birth_date_that_contradicts_the_kept_number(director, world):
    child = make_child(world["a1"], id_number=BOY_ID)
    with pytest.raises(ValidationError) as refused:
        services.update_child(director, child, {"birth_date": BORN + dt.timedelta(days=3)})
    assert "birth_date" in refused.value.message_dict
    child.refresh_from_db()
    assert child.birth_date == BORN


def test_update_child_refuses_taking_another_childs_number(director, world):
    make_child(world["a1"], "王小明", id_number=BOY_ID)
    other = make_child(world["a1"], "王小二", born=BORN)
    with pytest.raises(ValidationError) as refused:
        services.update_child(director, other, {}, id_number=BOY_ID)
    assert "王小明" in refused.value.message_dict["id_number"][0]
    other.refresh_from_db()
    assert not other.id_hash


def test_update_child_refuses_a_disabled_parent_without_the_grade(director, world):
    child = make_child(world["a1"], father="at_home")
    with pytest.raises(ValidationError) as refused:
        services.update_child(
            director,
            child,
            {},
            parents={"father": {"status": "disabled", "disability_category": "physical"}},
        )
    assert "father.disability_grade" in refused.value.message_dict
    assert child.parents.get(role="father").status == "at_home"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_set_care_level_refuses_an_empty_reason(township_officer, world, reason):
    child = make_child(world["a1"])
    with pytest.raises(ValidationError) as refused:
        services.set_care_level(township_officer, child, "special", reason)
    with translation.override("zh-hans"):
        message = refused.value.message_dict["reason"][0]
    child.refresh_from_db()
    assert child.care_level == "ordinary" and not child.care_level_override
    # The page's form says the same.
    from children.forms import CareLevelForm

    form = CareLevelForm({"level": "special", "reason": "  "})
    assert not form.is_valid()
    with translation.override("zh-hans"):
        assert form.errors["reason"] == [message]


def test_set_care_level_with_a_reason_is_kept(township_officer, world):
    child = make_child(world["a1"])
    services.set_care_level(township_officer, child, "special", "  家中失火，需每月探访  ")
    child.refresh_from_db()
    assert child.care_level == "special" and child.override_reason == "家中失火，需每月探访"
