"""The classification rules, case by case, including the boundary of the 16th birthday."""

import datetime as dt

import pytest
from django.utils import translation

from children.choices import ParentStatus as P
from children.policy import Facts, ParentFacts, age_on, birthday, classify, render_reason

TODAY = dt.date(2026, 11, 28)


def facts(father=P.MIGRANT, mother=P.MIGRANT, born=dt.date(2016, 5, 1), **extra):
    extra.setdefault("has_caregiver", True)
    extra.setdefault("caregiver_assessment", "good")
    extra.setdefault("caregiver_health", "healthy")
    f_since = extra.pop("father_since", None)
    m_since = extra.pop("mother_since", None)
    f_disability = extra.pop("father_disability", ("", None))
    m_disability = extra.pop("mother_disability", ("", None))
    return Facts(
        birth_date=born,
        father=ParentFacts(father, f_since, "浙江", "杭州", *f_disability),
        mother=ParentFacts(mother, m_since, "", "", *m_disability),
        **extra,
    )


def codes(result):
    return [code for code, _ in result.reasons]


def test_both_parents_away_is_left_behind_and_ordinary():
    result = classify(facts(), TODAY)
    assert result.left_behind and result.left_behind_kind == "both_away"
    assert result.care_level == "ordinary" and not result.difficulties


def test_one_away_and_the_other_seriously_ill_is_left_behind():
    result = classify(facts(mother=P.SERIOUSLY_ILL), TODAY)
    assert result.left_behind and result.left_behind_kind == "one_away"


def test_one_away_and_the_other_at_home_is_not_left_behind():
    result = classify(facts(mother=P.AT_HOME), TODAY)
    assert not result.left_behind


def test_the_day_before_the_16th_birthday_is_still_left_behind():
    born = dt.date(2010, 11, 29)
    assert classify(facts(born=born), TODAY).left_behind
    on_birthday = classify(facts(born=born), dt.date(2026, 11, 29))
    assert not on_birthday.left_behind and "aged_16" in codes(on_birthday)


def test_leap_day_children_turn_18_on_the_first_of_march_in_common_years():
    born = dt.date(2012, 2, 29)
    assert birthday(born, 16) == dt.date(2028, 2, 29)  # 16 years on is always a leap year
    assert birthday(born, 18) == dt.date(2030, 3, 1)
    orphan = {"father": P.DECEASED, "mother": P.DECEASED, "born": born}
    assert classify(facts(**orphan), dt.date(2030, 2, 28)).orphan
    assert not classify(facts(**orphan), dt.date(2030, 3, 1)).orphan
    assert age_on(born, dt.date(2030, 2, 28)) == 17


def test_urban_registration_is_not_left_behind():
    result = classify(facts(hukou_type="urban"), TODAY)
    assert not result.left_behind and "urban_hukou" in codes(result)


def test_orphan_is_in_difficulty_and_needs_special_attention():
    result = classify(facts(father=P.DECEASED, mother=P.MISSING), TODAY)
    assert result.orphan and not result.fuc
    assert "guardianship" in result.difficulties
    assert result.care_level == "special"


def test_de_facto_unsupported_needs_six_months_of_prison_or_lost_contact():
    five_months = classify(
        facts(father=P.IMPRISONED, mother=P.DECEASED, father_since=dt.date(2026, 7, 1)), TODAY
    )
    assert not five_months.fuc
    six_months = classify(
        facts(father=P.IMPRISONED, mother=P.DECEASED, father_since=dt.date(2026, 5, 28)), TODAY
    )
    assert six_months.fuc and "guardianship" in six_months.difficulties
    unknown_since = classify(
        facts(father=P.LOST_CONTACT, mother=P.DISABLED, mother_disability=("physical", 1)), TODAY
    )
    assert not unknown_since.fuc


def test_both_parents_severely_disabled_is_de_facto_unsupported_until_18():
    severe = {"father_disability": ("visual", 2)}
    result = classify(
        facts(father=P.DISABLED, mother=P.SERIOUSLY_ILL, born=dt.date(2009, 1, 1), **severe), TODAY
    )
    assert result.fuc and not result.left_behind
    adult = classify(
        facts(father=P.DISABLED, mother=P.SERIOUSLY_ILL, born=dt.date(2008, 11, 28), **severe),
        TODAY,
    )
    assert not adult.fuc and not adult.difficulties


def test_poverty_and_disability_are_difficulties_with_reasons():
    result = classify(
        facts(
            mother=P.AT_HOME,
            dibao=True,
            health="disabled",
            disability_category="physical",
            disability_grade=2,
        ),
        TODAY,
    )
    assert result.difficulties == ["poverty", "disability"]
    assert result.care_level == "special"
    with translation.override("en"):
        texts = [render_reason(r) for r in result.reasons]
    assert "family poverty: minimum living allowance (dibao)" in texts
    assert "disability: physical grade 2" in texts


def test_left_behind_with_a_poor_caregiver_needs_special_attention():
    result = classify(facts(caregiver_assessment="poor"), TODAY)
    assert result.left_behind and result.care_level == "special"
    assert [c for c, _ in result.level_reasons] == ["caregiver_poor"]


def test_left_behind_with_a_frail_caregiver_needs_special_attention():
    result = classify(facts(caregiver_health="frail"), TODAY)
    assert result.care_level == "special"


def test_left_behind_without_a_caregiver_needs_special_attention_but_is_not_a_category():
    result = classify(facts(has_caregiver=False), TODAY)
    assert result.care_level == "special"
    assert [c for c, _ in result.level_reasons] == ["no_caregiver"]
    assert not result.difficulties


def test_an_orphan_is_not_in_extreme_poverty_support():
    result = classify(facts(father=P.DECEASED, mother=P.DECEASED, extreme_poverty=True), TODAY)
    assert result.orphan and "poverty" not in result.difficulties
    assert "orphan_not_extreme_poverty" in codes(result)
    with_dibao = classify(
        facts(father=P.DECEASED, mother=P.DECEASED, extreme_poverty=True, dibao=True), TODAY
    )
    assert "poverty" in with_dibao.difficulties


def test_missing_household_registration_is_flagged():
    result = classify(facts(hukou_registered=False), TODAY)
    assert result.left_behind and "no_hukou" in codes(result)


def test_dropping_out_or_an_open_concern_raises_the_care_level():
    assert classify(facts(schooling="dropped_out"), TODAY).care_level == "special"
    assert (
        classify(facts(open_concerns=("visit 2026-11-01: no food",)), TODAY).care_level == "special"
    )


def test_an_officer_override_wins_but_keeps_the_computed_level():
    result = classify(
        facts(
            caregiver_assessment="poor",
            override_level="ordinary",
            override_reason="parents returned for the winter",
            override_by="county",
        ),
        TODAY,
    )
    assert result.computed_level == "special" and result.care_level == "ordinary"
    assert result.level_reasons[-1][0] == "override"


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            "both parents away: father: migrant worker in 浙江 杭州 since 2024-03; mother: "
            "migrant worker",
        ),
        ("zh-hans", "父母双方外出：父亲：在浙江 杭州外出务工，自2024-03起；母亲：外出务工"),
    ],
)
def test_reasons_render_in_the_readers_language(lang, expected):
    result = classify(facts(father_since=dt.date(2024, 3, 1)), TODAY)
    with translation.override(lang):
        assert render_reason(result.reasons[0]) == expected
