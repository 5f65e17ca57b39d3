"""The legal basis for processing a child's data (PIPL art. 13, 31): recorded through the
service with history and audit, on the child's page, at registration and through the API;
a child without one is a gap."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from children import policy, services
from children.models import Child, ChildChange
from children.tests.test_registry_pages import fewest_fields
from core.models import AuditEntry
from tests.personas import make_child

CONSENT = {
    "processing_basis": "guardian_consent",
    "basis_on": dt.date(2026, 9, 1),
    "consent_by": "王大",
    "consent_relationship": "father",
    "basis_note": "同意书存王庄村儿童之家档案",
}


@pytest.fixture
def child(world):
    return make_child(world["a1"], "王小明", born=dt.date(2016, 5, 1))


def test_a_guardians_consent_is_kept_with_date_who_and_recorder_in_history_and_audit(
    director, child
):
    services.record_basis(director, child, CONSENT)
    child.refresh_from_db()
    assert child.processing_basis == "guardian_consent"
    assert child.basis_on == dt.date(2026, 9, 1)
    assert (child.consent_by, child.consent_relationship) == ("王大", "father")
    assert child.basis_recorded_by == director and child.basis_recorded_at is not None
    change = child.changes.filter(kind=ChildChange.Kind.BASIS).get()
    assert change.changes["processing_basis"] == [None, "guardian_consent"]
    assert change.actor == director
    entry = AuditEntry.objects.filter(action="children.child.basis_recorded").get()
    assert entry.data["basis"] == "guardian_consent"


def test_a_new_basis_replaces_the_old_one_and_the_history_keeps_both(director, child):
    services.record_basis(director, child, CONSENT)
    services.record_basis(
        director,
        child,
        {
            "processing_basis": "statutory_duty",
            "basis_on": dt.date(2026, 10, 1),
            "basis_law": policy.STATUTORY_BASIS_LAW,
            "consent_by": "ignored",
        },
    )
    child.refresh_from_db()
    assert child.processing_basis == "statutory_duty"
    assert child.consent_by == "" and child.consent_relationship == ""  # not this basis's
    latest = child.changes.filter(kind=ChildChange.Kind.BASIS).first()
    assert latest.changes["processing_basis"] == ["guardian_consent", "statutory_duty"]
    assert latest.changes["consent_by"] == ["王大", None]


@pytest.mark.parametrize(
    "data,field",
    [
        ({**CONSENT, "consent_by": " "}, "consent_by"),
        ({**CONSENT, "consent_relationship": ""}, "consent_relationship"),
        ({**CONSENT, "consent_relationship": "child"}, "consent_relationship"),
        ({**CONSENT, "basis_on": None}, "basis_on"),
        ({**CONSENT, "basis_on": dt.date(2099, 1, 1)}, "basis_on"),
        ({**CONSENT, "basis_on": dt.date(2010, 1, 1)}, "basis_on"),  # before the birth
        ({"processing_basis": "statutory_duty", "basis_on": dt.date(2026, 9, 1)}, "basis_law"),
        ({"processing_basis": "castle", "basis_on": dt.date(2026, 9, 1)}, "processing_basis"),
        ({"processing_basis": "", "basis_on": dt.date(2026, 9, 1)}, "processing_basis"),
    ],
)
def test_an_incomplete_basis_is_refused_and_nothing_is_saved(director, child, data, field):
    with pytest.raises(ValidationError) as refused:
        services.record_basis(director, child, data)
    assert field in refused.value.message_dict
    child.refresh_from_db()
    assert child.processing_basis == "" and not child.changes.filter(kind="basis").exists()


def test_a_child_under_14_cannot_consent_alone_but_one_of_14_can(director, world):
    young = make_child(world["a1"], "王小明", born=dt.date(2016, 5, 1))
    own = {"processing_basis": "child_consent", "basis_on": dt.date(2026, 9, 1)}
    with pytest.raises(ValidationError) as refused:
        services.record_basis(director, young, own)
    assert "processing_basis" in refused.value.message_dict
    older = make_child(world["a1"], "王大明", born=dt.date(2011, 5, 1))
    services.record_basis(director, older, own)
    older.refresh_from_db()
    assert (older.consent_by, older.consent_relationship) == ("王大明", "child")


def test_the_county_records_its_statutory_duty_for_every_child_without_a_basis(
    county_officer, director, world
):
    first = make_child(world["a1"], "王小明")
    second = make_child(world["b1"], "张小红")
    services.record_basis(director, first, CONSENT)
    duty = {
        "processing_basis": "statutory_duty",
        "basis_on": dt.date(2026, 1, 1),
        "basis_law": policy.STATUTORY_BASIS_LAW,
    }
    count = services.record_basis_in_bulk(county_officer, Child.objects.all(), duty)
    assert count == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.processing_basis == "guardian_consent"  # a consent is kept
    assert second.processing_basis == "statutory_duty"
    assert second.basis_recorded_by == county_officer
    assert second.changes.filter(kind="basis").get().changes["basis_law"][1]
    entry = AuditEntry.objects.filter(action="children.child.basis_recorded").latest("pk")
    assert entry.data["ids"] == [second.pk]
    with pytest.raises(ValidationError):
        services.record_basis_in_bulk(county_officer, Child.objects.all(), CONSENT)


def test_the_childs_page_shows_the_gap_and_the_form_records_the_consent(client, director, child):
    client.force_login(director)
    page = client.get(reverse("children:detail", args=[child.pk])).text
    assert 'data-testid="basis-missing"' in page
    assert "记录监护人同意或处理依据" in page
    form = client.get(reverse("children:basis", args=[child.pk]))
    assert form.context["form"]["processing_basis"].value() == "statutory_duty"  # offered
    post = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in CONSENT.items()}
    refused = client.post(reverse("children:basis", args=[child.pk]), {**post, "consent_by": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["consent_by"]
    response = client.post(reverse("children:basis", args=[child.pk]), post)
    assert response.status_code == 302
    page = client.get(reverse("children:detail", args=[child.pk])).text
    assert "王大" in page and "父母或其他监护人同意" in page and "2026-09-01" in page


def test_registration_records_the_basis_when_given_and_leaves_a_gap_when_not(
    client, director, world
):
    client.force_login(director)
    base = fewest_fields(world, name="王小刚", birth_date="2017-03-04")
    with_basis = {
        **base,
        "basis-processing_basis": "guardian_consent",
        "basis-basis_on": "2026-11-01",
        "basis-consent_by": "王大",
        "basis-consent_relationship": "father",
    }
    refused = client.post(reverse("children:new"), {**with_basis, "basis-basis_on": "2016-01-01"})
    assert refused.status_code == 200
    assert refused.context["basis_form"].errors["basis_on"]  # before the birth date
    assert client.post(reverse("children:new"), with_basis).status_code == 302
    child = Child.objects.get(name="王小刚")
    assert child.processing_basis == "guardian_consent" and child.basis_recorded_by == director
    assert client.post(reverse("children:new"), {**base, "name": "王小强"}).status_code == 302
    assert Child.objects.get(name="王小强").processing_basis == ""


def test_the_api_shows_the_basis_and_records_it_through_the_service(director, leader, child):
    api = APIClient()
    api.force_authenticate(director)
    url = f"/api/v1/children/{child.pk}/"
    assert api.get(url).json()["legal_basis"] is None
    body = {**CONSENT, "basis_on": "2026-09-01"}
    bad = api.post(f"{url}basis/", {**body, "consent_by": ""}, format="json")
    assert bad.status_code == 400 and "consent_by" in bad.json()
    answer = api.post(f"{url}basis/", body, format="json")
    assert answer.status_code == 200
    basis = answer.json()["legal_basis"]
    assert basis["processing_basis"] == "guardian_consent" and basis["consent_by"] == "王大"
    assert basis["recorded_by"] == director.pk and basis["basis_on"] == "2026-09-01"
    assert child.changes.filter(kind="basis").count() == 1
    api.force_authenticate(leader)
    assert api.post(f"{url}basis/", body, format="json").status_code == 403


def test_the_history_shows_the_basis_in_words(client, director, child):
    services.record_basis(director, child, CONSENT)
    client.force_login(director)
    page = client.get(reverse("children:detail", args=[child.pk])).text
    assert "记录处理依据" in page and "个人信息处理依据" in page
    assert timezone.localdate().isoformat() in page


def test_an_edit_read_before_the_basis_was_recorded_does_not_erase_it(director, child):
    stale_copy = Child.objects.get(pk=child.pk)
    services.record_basis(director, child, CONSENT)
    services.update_child(director, stale_copy, {"village_group": "三组"})
    child.refresh_from_db()
    assert child.processing_basis == "guardian_consent" and child.village_group == "三组"
