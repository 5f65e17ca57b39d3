"""Guardianship in between, and severe disability computed (issue 12, point 3).

A parent imprisoned or out of contact for less than six months (or since a day not recorded)
puts the child at special attention, "guardianship at risk", naming the parent, since when
and the day the six months are reached; the daily review then classifies the child as de
facto unsupported. A disabled parent's category and grade decide whether the disability is
severe (重残): grade 1–2, or grade 3–4 intellectual or mental."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from children import services
from children.choices import ParentStatus as P
from children.forms import ParentForm
from children.models import Child, ImportJob, Parent
from children.policy import Facts, ParentFacts, classify, render_reason, severely_disabled
from children.tabular import COLUMNS
from children.tests.test_import import upload, workbook
from tests.personas import A1, make_child

TODAY = dt.date(2026, 11, 28)
BORN = dt.date(2016, 5, 1)


def facts(father, mother, **extra):
    extra.setdefault("has_caregiver", True)
    extra.setdefault("caregiver_assessment", "good")
    return Facts(birth_date=BORN, father=father, mother=mother, **extra)


def level_codes(result):
    return [code for code, _params in result.level_reasons]


def zh(reason):
    with translation.override("zh-hans"):
        return render_reason(reason)


# -- guardianship at risk -------------------------------------------------------------------


def test_a_father_imprisoned_two_months_ago_puts_the_child_at_special_attention_named():
    result = classify(
        facts(ParentFacts(P.IMPRISONED, dt.date(2026, 9, 15)), ParentFacts(P.AT_HOME)), TODAY
    )
    assert not result.fuc and result.care_level == "special"
    assert level_codes(result) == ["guardianship_at_risk"]
    text = zh(result.level_reasons[0])
    assert text.startswith("监护风险：父亲：服刑在押")
    assert "2026-09" in text  # since when
    assert "2027-03-15" in text  # when the six months are reached


def test_lost_contact_with_no_since_date_is_at_risk_and_asks_for_the_date():
    result = classify(facts(ParentFacts(P.AT_HOME), ParentFacts(P.LOST_CONTACT)), TODAY)
    assert result.care_level == "special"
    text = zh(result.level_reasons[0])
    assert "母亲：失联" in text and "未填写起始日期" in text
    with translation.override("en"):
        assert "since when is not recorded" in render_reason(result.level_reasons[0])


def test_both_parents_recently_imprisoned_is_not_yet_de_facto_unsupported_but_at_risk():
    result = classify(
        facts(
            ParentFacts(P.IMPRISONED, dt.date(2026, 10, 1)),
            ParentFacts(P.LOST_CONTACT, dt.date(2026, 8, 1)),
        ),
        TODAY,
    )
    assert not result.fuc
    assert level_codes(result) == ["guardianship_at_risk", "guardianship_at_risk"]


def test_six_months_of_prison_with_the_other_parent_dead_is_de_facto_unsupported_not_at_risk():
    result = classify(
        facts(ParentFacts(P.IMPRISONED, dt.date(2026, 5, 28)), ParentFacts(P.DECEASED)), TODAY
    )
    assert result.fuc and result.care_level == "special"
    assert "guardianship_at_risk" not in level_codes(result)


def test_the_six_months_are_reached_on_the_day_the_reason_names():
    since = dt.date(2026, 5, 31)  # six months later there is no 31 November: 1 December
    parents = (ParentFacts(P.LOST_CONTACT, since), ParentFacts(P.DECEASED))
    before = classify(facts(*parents), dt.date(2026, 11, 30))
    assert not before.fuc and before.level_reasons[0][1]["until"] == "2026-12-01"
    assert classify(facts(*parents), dt.date(2026, 12, 1)).fuc


def test_an_adult_is_not_at_risk():
    result = classify(
        Facts(
            birth_date=dt.date(2008, 1, 1),
            father=ParentFacts(P.IMPRISONED),
            mother=ParentFacts(P.AT_HOME),
        ),
        TODAY,
    )
    assert "guardianship_at_risk" not in level_codes(result)


def test_the_daily_review_turns_at_risk_into_de_facto_unsupported_after_six_months(world):
    today = timezone.localdate()
    child = make_child(world["a1"], father="lost_contact", mother="deceased")
    child.parents.filter(role="father").update(status_since=today - dt.timedelta(days=30))
    services.review_ages(today)
    child.refresh_from_db()
    assert not child.is_fuc and child.care_level == "special"
    assert [code for code, _p in child.level_reasons] == ["guardianship_at_risk"]
    services.review_ages(today + dt.timedelta(days=160))
    child.refresh_from_db()
    assert child.is_fuc and child.care_level == "special"
    assert [code for code, _p in child.level_reasons] == ["difficulty"]
    assert child.changes.filter(kind="reclassified").exists()


def test_a_parent_imprisoned_without_a_date_is_accepted_by_the_form_which_asks_for_it():
    form = ParentForm({"p-status": "imprisoned"}, prefix="p")
    assert form.is_valid(), form.errors
    widget = form.fields["status_since"].widget
    assert widget.attrs["data-required-when"] == "p-status=imprisoned,lost_contact"
    assert widget.attrs["data-asked"] == "1"
    with translation.override("zh-hans"):
        assert "6个月" in str(form.fields["status_since"].help_text)


def test_the_child_page_names_the_parent_and_the_date_of_the_six_months(client, director, world):
    child = make_child(world["a1"], father="imprisoned", mother="at_home")
    client.force_login(director)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "监护风险：父亲：服刑在押" in page and "未填写起始日期" in page


# -- severe disability, computed ------------------------------------------------------------


@pytest.mark.parametrize(
    "category,grade,severe",
    [
        ("physical", 1, True),
        ("visual", 2, True),
        ("intellectual", 3, True),
        ("mental", 4, True),
        ("physical", 3, False),
        ("hearing", 4, False),
        ("multiple", 3, False),
    ],
)
def test_severe_disability_is_grade_1_2_or_3_4_intellectual_or_mental(category, grade, severe):
    assert severely_disabled(category, grade) is severe


def test_a_grade_3_intellectually_disabled_mother_and_a_dead_father_make_the_child_fuc():
    result = classify(
        facts(ParentFacts(P.DECEASED), ParentFacts(P.DISABLED, None, "", "", "intellectual", 3)),
        TODAY,
    )
    assert result.fuc and result.care_level == "special"
    with translation.override("en"):
        assert "disabled (intellectual grade 3)" in render_reason(result.reasons[0])


def test_a_grade_3_physically_disabled_mother_does_not_make_the_child_fuc():
    result = classify(
        facts(ParentFacts(P.DECEASED), ParentFacts(P.DISABLED, None, "", "", "physical", 3)),
        TODAY,
    )
    assert not result.fuc


def test_one_parent_away_and_the_other_severely_disabled_is_left_behind_but_not_if_mild():
    away = ParentFacts(P.MIGRANT, None, "浙江", "杭州")
    severe = classify(facts(away, ParentFacts(P.DISABLED, None, "", "", "mental", 3)), TODAY)
    assert severe.left_behind and severe.left_behind_kind == "one_away"
    mild = classify(facts(away, ParentFacts(P.DISABLED, None, "", "", "physical", 4)), TODAY)
    assert not mild.left_behind


def test_a_disability_recorded_before_the_grade_was_asked_still_counts_and_is_flagged():
    result = classify(facts(ParentFacts(P.DECEASED), ParentFacts(P.DISABLED)), TODAY)
    assert result.fuc
    assert "parent_grade_unknown" in [code for code, _p in result.reasons]


def test_old_severely_disabled_parents_become_disabled_without_a_grade(world):
    migration = import_module("children.migrations.0008_parent_disability")
    child = make_child(world["a1"], father="deceased", mother="at_home")
    Parent.objects.filter(child=child, role="mother").update(status="severely_disabled")
    migration.severely_disabled_to_disabled(apps, None)
    mother = Parent.objects.get(child=child, role="mother")
    assert mother.status == "disabled" and mother.disability_grade is None


def test_a_reason_stored_with_the_old_status_still_renders():
    old = {"role": "mother", "status": "severely_disabled", "since": ""}
    dead = {"role": "father", "status": "deceased", "since": ""}
    assert "母亲：重残" in zh(("fuc", {"father": dead, "mother": old}))


def test_the_parent_form_requires_category_and_grade_for_a_disabled_parent():
    form = ParentForm({"p-status": "disabled"}, prefix="p")
    assert not form.is_valid()
    assert set(form.errors) == {"disability_category", "disability_grade"}
    assert form.fields["disability_grade"].widget.attrs["data-required-when"] == "p-status=disabled"
    ok = ParentForm(
        {"p-status": "disabled", "p-disability_category": "mental", "p-disability_grade": "3"},
        prefix="p",
    )
    assert ok.is_valid(), ok.errors


def test_the_page_saves_the_parents_disability_and_the_child_page_shows_it(client, director, world):
    child = make_child(world["a1"], father="deceased", mother="at_home")
    client.force_login(director)
    from children.api import _current_data

    data = _current_data(child, director)
    data.update(
        {
            "mother-status": "disabled",
            "mother-disability_category": "intellectual",
            "mother-disability_grade": "3",
        }
    )
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    response = client.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 302, response.context["mother_form"].errors
    child.refresh_from_db()
    assert child.is_fuc
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "智力 3级" in page
    change = child.changes.first()
    assert change.changes["mother.disability_grade"] == [None, 3]


def test_the_api_takes_and_returns_the_parents_disability(director, world):
    api = APIClient()
    api.force_authenticate(director)
    body = {
        "area": A1,
        "name": "王小虎",
        "sex": "M",
        "birth_date": BORN.isoformat(),
        "father": {"status": "deceased"},
        "mother": {"status": "disabled", "disability_category": "mental", "disability_grade": 4},
    }
    response = api.post("/api/v1/children/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["mother"]["disability_grade"] == 4
    assert response.json()["classification"]["de_facto_unsupported"] is True
    body["name"] = "王小龙"
    body["mother"] = {"status": "disabled", "disability_category": "mental"}
    refused = api.post("/api/v1/children/", body, format="json")
    assert refused.status_code == 400 and "mother.disability_grade" in refused.json()


def test_the_import_reads_the_parents_disability_columns(client, director, world):
    def upload_mother(grade):
        row = {
            "village_code": A1,
            "name": "王小虎",
            "sex": "男",
            "birth_date": BORN,
            "father.status": "死亡",
            "mother.status": "残疾",
            "mother.disability_category": "智力",
            "mother.disability_grade": grade,
        }
        return upload(client, workbook(row))

    client.force_login(director)
    with translation.override("zh-hans"):
        assert "母亲残疾等级" in [str(c.label) for c in COLUMNS]
    missing = upload_mother(None)
    assert missing.state == ImportJob.State.INVALID
    assert "请填写残疾等级（一至四级，见残疾人证）。" in [
        e["message"] for e in missing.report["errors"]
    ]
    job = upload_mother(3)
    assert job.state == ImportJob.State.VALID, job.report
    client.post(reverse("children:import_save", args=[job.pk]))
    child = Child.objects.get()
    assert child.is_fuc and child.parents.get(role="mother").disability_grade == 3


def test_the_old_status_value_from_older_data_files_reads_as_a_disability_without_grade():
    father = ParentFacts("severely_disabled")
    assert father.status == P.DISABLED and father.disability_grade is None
    result = classify(facts(father, ParentFacts(P.DECEASED)), TODAY)
    assert result.fuc and "parent_grade_unknown" in [code for code, _p in result.reasons]
