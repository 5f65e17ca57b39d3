"""Social forces: organisations, pairing rules, what a paired helper sees (and never sees),
service records by kind, confidential notes, and aid feeding the relief measures."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from children.models import Caregiver
from core.audit import AuditEntry
from relief.models import ReliefMeasure
from social import services
from social.models import CREDIT_ALPHABET, CREDIT_WEIGHTS, credit_code_error
from tests.personas import make_child, make_user

pytestmark = pytest.mark.django_db


def credit_code(base17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(base17, CREDIT_WEIGHTS, strict=True))
    return base17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


def test_credit_codes_are_checked():
    good = credit_code("52341623MJ1234567")
    assert credit_code_error(good) is None
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "check" in credit_code_error(wrong) or "校验" in credit_code_error(wrong)
    assert credit_code_error("1234") is not None
    assert credit_code_error("52341623MJ123456I") is not None  # I is not in the alphabet


@pytest.fixture
def child(world):
    child = make_child(
        world["a1"], "王小明", born=dt.date(2015, 3, 1), id_number="341623201503010014"
    )
    Caregiver.objects.update_or_create(
        child=child,
        defaults={"name": "王奶奶", "relationship": "grandparent", "phone": "13900001111"},
    )
    child.school = "城关小学"
    child.save()
    return child


def pair(director, child, helper, **extra):
    data = {"helper": helper, "purpose": "tutoring", "started_on": dt.date(2026, 1, 1), **extra}
    return services.pair(director, child, data)


def test_a_director_pairs_a_serving_helper_once(world, director, other_director, volunteer, child):
    pairing = pair(director, child, volunteer)
    assert pairing.is_current()
    assert AuditEntry.objects.filter(action="social.pairing.created").count() == 1
    with pytest.raises(ValidationError) as overlap:
        pair(director, child, volunteer, started_on=dt.date(2026, 6, 1))
    assert "helper" in overlap.value.error_dict
    with pytest.raises(PermissionDenied):
        pair(other_director, child, volunteer)
    far = make_user("far_volunteer", "volunteer", world["b"])  # serves another township
    with pytest.raises(ValidationError) as outside:
        pair(director, child, far)
    assert "helper" in outside.value.error_dict
    with pytest.raises(ValidationError) as not_helper:
        pair(director, child, other_director)
    assert "helper" in not_helper.value.error_dict
    with pytest.raises(ValidationError) as dates:
        pair(
            director, child, make_user("v2", "volunteer", world["a"]), ended_on=dt.date(2025, 1, 1)
        )
    assert "ended_on" in dates.value.error_dict


def test_a_paired_helper_sees_only_what_the_help_needs(client, director, volunteer, child, world):
    other = make_child(world["a1"], "王小红")
    pair(director, child, volunteer)
    client.force_login(volunteer)
    home = client.get(reverse("home"), follow=True)
    assert "王小明" in home.text and "王小红" not in home.text
    page = client.get(reverse("social:helper_child", args=[child.pk]))
    assert page.status_code == 200
    for shown in ("王小明", "城关小学", "王奶奶", "13900001111", "王庄村"):
        assert shown in page.text, shown
    # Never the identity number (whole or masked), parents, income or other children.
    assert "341623" not in re.sub(r'href="[^"]*"', "", page.text).replace("341623100201", "")
    assert "201503010014" not in page.text and "0014" not in page.text
    assert "王小红" not in page.text
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 404
    assert client.get(reverse("social:helper_child", args=[other.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="children.child.read", data__via="helper").exists()
    # Once the pairing ends the child is gone from the helper's pages.
    services.end_pairing(
        director, child.pairings.get(), timezone.localdate() - dt.timedelta(days=1)
    )
    assert client.get(reverse("social:helper_child", args=[child.pk])).status_code == 404


def test_services_are_checked_by_kind(director, social_worker, child):
    pair(director, child, social_worker, purpose="counselling")
    with pytest.raises(ValidationError) as missing:
        services.record_service(
            social_worker, child, {"kind": "counselling", "on": dt.date(2026, 11, 1)}
        )
    assert {"minutes", "topic"} <= set(missing.value.error_dict)
    with pytest.raises(ValidationError) as future:
        services.record_service(
            social_worker,
            child,
            {"kind": "visit", "on": timezone.localdate() + dt.timedelta(days=1), "minutes": 30},
        )
    assert "on" in future.value.error_dict
    with pytest.raises(ValidationError) as money:
        services.record_service(
            social_worker, child, {"kind": "financial", "on": dt.date(2026, 11, 1)}
        )
    assert {"amount", "purpose"} <= set(money.value.error_dict)
    record = services.record_service(
        social_worker,
        child,
        {
            "kind": "counselling",
            "on": dt.date(2026, 11, 1),
            "minutes": 45,
            "topic": "想念父母",
            "notes": "夜里常哭",
        },
    )
    assert record.pairing is not None and record.minutes == 45


def test_an_unpaired_helper_cannot_record(volunteer, child):
    with pytest.raises(PermissionDenied):
        services.record_service(
            volunteer, child, {"kind": "visit", "on": dt.date(2026, 11, 1), "minutes": 30}
        )


def test_aid_feeds_the_relief_measures(director, volunteer, child):
    pair(director, child, volunteer, purpose="aid")
    record = services.record_service(
        volunteer,
        child,
        {
            "kind": "financial",
            "on": dt.date(2026, 11, 2),
            "amount": Decimal("500"),
            "purpose": "学习用品",
        },
    )
    measure = ReliefMeasure.objects.get(child=child)
    assert record.relief_measure == measure
    assert measure.programme.code == "donation" and measure.amount == Decimal("500")
    assert measure.start_month == dt.date(2026, 11, 1) and measure.provider_name == str(volunteer)
    material = services.record_service(
        volunteer, child, {"kind": "material", "on": dt.date(2026, 11, 3), "items": "冬衣两件"}
    )
    assert material.relief_measure.amount is None and "冬衣" in material.relief_measure.note


def test_counselling_notes_are_confidential(
    client, director, township_officer, county_officer, social_worker, volunteer, child
):
    pair(director, child, social_worker, purpose="counselling")
    pair(director, child, volunteer)
    services.record_service(
        social_worker,
        child,
        {
            "kind": "counselling",
            "on": dt.date(2026, 11, 1),
            "minutes": 40,
            "topic": "学习压力",
            "notes": "机密笔记内容",
        },
    )
    url = reverse("social:child_section", args=[child.pk])
    for reader, sees in ((township_officer, True), (county_officer, True), (director, False)):
        client.force_login(reader)
        page = client.get(url)
        assert page.status_code == 200 and "学习压力" in page.text
        assert ("机密笔记内容" in page.text) is sees, reader.username
    client.force_login(social_worker)
    assert "机密笔记内容" in client.get(reverse("social:helper_child", args=[child.pk])).text
    client.force_login(volunteer)
    page = client.get(reverse("social:helper_child", args=[child.pk]))
    assert "学习压力" in page.text and "机密笔记内容" not in page.text


def test_forms_show_field_errors_and_save(client, director, volunteer, county_officer, child):
    client.force_login(director)
    url = reverse("social:pair", args=[child.pk])
    bad = client.post(url, {"helper": volunteer.pk, "purpose": "", "started_on": "2026-13-01"})
    assert bad.status_code == 200
    assert (
        'data-testid="error-purpose"' in bad.text and 'data-testid="error-started_on"' in bad.text
    )
    good = client.post(
        url, {"helper": volunteer.pk, "purpose": "tutoring", "started_on": "2026-01-01"}
    )
    assert good.status_code == 302 and child.pairings.count() == 1
    client.force_login(county_officer)
    org = client.post(
        reverse("social:organisation_new"),
        {"name": "阳光社工", "registration_number": "12345", "area_codes": "999999999999"},
    )
    assert 'data-testid="error-registration_number"' in org.text
    assert 'data-testid="error-area_codes"' in org.text
    saved = client.post(
        reverse("social:organisation_new"),
        {
            "name": "阳光社工",
            "registration_number": credit_code("52341623MJ1234567"),
            "services": ["counselling", "tutoring"],
            "area_codes": "341623100000",
        },
    )
    assert saved.status_code == 302
    listing = client.get(reverse("social:organisations"), {"q": "阳光"})
    assert "阳光社工" in listing.text and "城关镇" in listing.text


def test_a_duplicate_organisation_name_is_shown_beside_the_name(client, county_officer):
    client.force_login(county_officer)
    url = reverse("social:organisation_new")
    assert client.post(url, {"name": "阳光社工", "area_codes": ""}).status_code == 302
    again = client.post(url, {"name": "阳光社工", "area_codes": ""})
    assert again.status_code == 200 and 'data-testid="error-name"' in again.text


def test_a_helpers_profile_is_changed_through_the_service_and_audited(
    client, county_officer, volunteer, world
):
    client.force_login(county_officer)
    saved = client.post(
        reverse("social:helper_profile", args=[volunteer.pk]),
        {"skills": ["tutoring"], "qualification": "社会工作者 123", "area_codes": world["a1"].code},
    )
    assert saved.status_code == 302
    profile = services.profile_of(volunteer)
    assert profile.skills == ["tutoring"] and profile.qualification == "社会工作者 123"
    assert [a.code for a in profile.areas.all()] == [world["a1"].code]
    entry = AuditEntry.objects.get(action="social.helper.updated")
    assert entry.data == {"fields": ["areas", "qualification", "skills"]}


def test_pages_run_a_bounded_number_of_queries(
    client, director, volunteer, child, world, django_assert_max_num_queries
):
    pair(director, child, volunteer)
    for i in range(5):
        c = make_child(world["a1"], f"孩子{i}")
        pair(director, c, volunteer)
        services.record_service(
            volunteer, c, {"kind": "visit", "on": dt.date(2026, 11, 1), "minutes": 30}
        )
    client.force_login(volunteer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("social:my_children")).status_code == 200
    from social.models import Organisation

    for i in range(8):
        organisation = Organisation.objects.create(county=world["county"], name=f"社工站{i}")
        organisation.areas.set([world["a"], world["b"]])
    client.force_login(director)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("social:organisations")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("social:child_section", args=[child.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("social:helpers")).status_code == 200
