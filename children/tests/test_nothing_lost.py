"""Nothing typed is lost (issue 12, point 6): the caregiver section is saved when filled, or
refused with the reason at the section; values typed into fields that do not apply are
refused with the reason instead of dropped; fields that become required by another answer
carry the marks the page's script shows before saving; every page loads that script."""

import datetime as dt

from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from children.models import Caregiver, Child
from children.tests.test_registry_pages import NEW, edit, form_data, post_new
from tests.personas import make_child


def without_checkbox(world, **overrides):
    """The registration form as a person fills it: no box to tick for the caregiver."""
    data = form_data(world, **overrides)
    data.pop("caregiver-has_caregiver", None)
    return data


def test_a_caregiver_typed_into_the_new_child_form_is_saved(client, director, world):
    response = post_new(
        client, director, without_checkbox(world, **{"caregiver-phone": "13800000000"})
    )
    assert response.status_code == 302
    caregiver = Caregiver.objects.get()
    assert caregiver.name == "王奶奶" and caregiver.phone == "13800000000"
    child = Child.objects.get()
    assert child.changes.get().changes["caregiver.name"] == [None, "王奶奶"]
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "王奶奶" in page


def test_a_caregiver_section_started_without_a_name_is_refused_at_the_section(
    client, director, world
):
    response = post_new(
        client,
        director,
        without_checkbox(
            world, **{"caregiver-name": "", "caregiver-relationship": "", "caregiver-age": "70"}
        ),
    )
    assert response.status_code == 200 and not Child.objects.exists()
    errors = response.context["caregiver_form"].errors
    assert set(errors) == {"name", "relationship"}
    page = response.content.decode()
    assert 'data-testid="error-name"' in page
    assert 'value="70"' in page  # what was typed is still there


def test_an_empty_caregiver_section_registers_a_child_with_no_caregiver(client, director, world):
    client.force_login(director)
    empty = {
        key: "" for key in form_data(world) if key.startswith("caregiver-") and "has_" not in key
    }
    empty.update({"caregiver-health": "healthy", "caregiver-assessment": "fair"})
    response = client.post(NEW, without_checkbox(world, **empty))
    assert response.status_code == 302
    child = Child.objects.get()
    assert not Caregiver.objects.exists()
    assert [code for code, _p in child.level_reasons] == ["no_caregiver"]


def test_only_a_changed_assessment_counts_as_starting_the_section(client, director, world):
    response = post_new(
        client,
        director,
        without_checkbox(
            world,
            **{"caregiver-name": "", "caregiver-relationship": "", "caregiver-assessment": "poor"},
        ),
    )
    assert response.status_code == 200
    assert "name" in response.context["caregiver_form"].errors


def test_the_edit_form_removes_a_caregiver_only_when_asked(client, director, world):
    child = make_child(world["a1"])
    client.force_login(director)
    kept = edit(client, child, **{"caregiver-phone": "13900000000"})
    assert kept.status_code == 302
    assert Caregiver.objects.get(child=child).phone == "13900000000"
    removed = edit(client, child, **{"caregiver-remove": "on"})
    assert removed.status_code == 302
    assert not Caregiver.objects.filter(child=child).exists()
    assert child.changes.first().changes["caregiver.name"] == ["李奶奶", None]


def test_the_api_removes_a_caregiver_sent_as_null(director, world):
    child = make_child(world["a1"])
    api = APIClient()
    api.force_authenticate(director)
    version = api.get(f"/api/v1/children/{child.pk}/").json()["version"]
    response = api.patch(
        f"/api/v1/children/{child.pk}/", {"caregiver": None, "version": version}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["caregiver"] is None


def test_a_disability_typed_for_a_healthy_child_is_refused_not_dropped(client, director, world):
    client.force_login(director)
    response = client.post(
        NEW, without_checkbox(world, disability_category="visual", disability_grade="2")
    )
    assert response.status_code == 200 and not Child.objects.exists()
    errors = response.context["form"].errors
    with translation.override("zh-hans"):
        assert errors["disability_category"] == [
            "仅适用于残疾儿童，此项不会保存。请将身体状况选为“残疾”，或清空此项。"
        ]
    assert "disability_grade" in errors


def test_a_work_place_typed_for_a_parent_at_home_is_refused_not_dropped(client, director, world):
    response = post_new(
        client,
        director,
        without_checkbox(world, **{"mother-status": "at_home", "mother-work_province": "江苏"}),
    )
    assert response.status_code == 200
    assert "work_province" in response.context["mother_form"].errors


def test_a_parent_coming_home_clears_the_stored_work_place_without_an_error(
    client, director, world
):
    child = make_child(world["a1"])
    client.force_login(director)
    response = edit(client, child, **{"mother-status": "at_home"})
    assert response.status_code == 302
    mother = child.parents.get(role="mother")
    assert mother.status == "at_home" and mother.work_province == ""
    assert child.changes.first().changes["mother.work_province"] == ["江苏", None]


def test_fields_required_by_another_answer_carry_the_marks_the_page_shows(client, director, world):
    client.force_login(director)
    page = client.get(NEW).content.decode()
    assert 'data-required-when="health=disabled"' in page  # the disability category
    assert 'data-required-when="health=ill"' in page  # the illness
    assert 'data-required-when="father-status=migrant"' in page  # the work province
    assert 'data-required-when="mother-status=disabled"' in page  # category and grade
    assert 'data-required-when="father-status=imprisoned,lost_contact" data-asked="1"' in page
    assert page.count('data-required-with="caregiver"') == 3  # name, relationship, assessment
    assert 'data-section="caregiver"' in page
    assert 'name="caregiver-has_caregiver"' not in page  # no box to forget


def test_every_page_loads_the_forms_script_with_its_summary_title_in_chinese(client, director):
    client.force_login(director)
    page = client.get(reverse("children:roster")).content.decode()
    assert "core/forms.js" in page
    assert 'data-summary-title="未保存。请修改以下各项："' in page


def test_after_a_failed_save_every_section_keeps_what_was_typed(client, director, world):
    """A failed save keeps every section's values, so a second save is all it takes."""
    client.force_login(director)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    data = without_checkbox(world, **{"father-status_since": tomorrow})
    failed = client.post(NEW, data)
    assert failed.status_code == 200 and "status_since" in failed.context["father_form"].errors
    assert "王奶奶" in failed.content.decode()
    data["father-status_since"] = "2024-03-01"
    assert client.post(NEW, data).status_code == 302
    assert Caregiver.objects.get().name == "王奶奶"
