"""Eligibility checks (issue 16, point 4): what a special-attention child's situation calls
for and no current measure meets, in the gap report and on the child's relief section; and
measures still paid for children who left the register."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from children.services import close_child, review_ages
from relief import eligibility, services
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def situations(world, programmes):
    """One child for each rule in village A1, and an ordinary child who calls for nothing."""
    today = _today()
    orphan = make_child(world["a1"], "孤小一", father="deceased", mother="deceased")
    fuc = make_child(world["a1"], "无小二", father="lost_contact", mother="deceased")
    fuc.parents.filter(role="father").update(status_since=today - dt.timedelta(days=400))
    review_ages(today)
    dibao = make_child(world["a1"], "低小三", father="at_home", mother="at_home", dibao=True)
    young = make_child(
        world["a1"],
        "残小四",
        born=today - dt.timedelta(days=365 * 4),
        health="disabled",
        disability_category="physical",
        disability_grade=2,
    )
    older = make_child(
        world["a1"],
        "残小五",
        born=today - dt.timedelta(days=365 * 9),
        health="disabled",
        disability_category="physical",
        disability_grade=2,
    )
    ordinary = make_child(world["a1"], "普小六", father="at_home", mother="at_home")
    children = {"orphan": orphan, "fuc": fuc, "dibao": dibao, "young": young, "older": older}
    for child in children.values():
        child.refresh_from_db()
        assert child.care_level == "special", child.name
    ordinary.refresh_from_db()
    children["ordinary"] = ordinary
    return children


def _end(actor, measure):
    """End a measure this month, as the relief page does."""
    services.update_measure(
        actor,
        measure,
        {"status": "ended", "end_month": _today().replace(day=1)},
        based_on=measure.updated_at,
    )


def _found(rule_key, world):
    rule = eligibility.RULES_BY_KEY[rule_key]
    return {c.name for c in eligibility.unmet(rule, world["county"].prefix, _today())}


def test_each_rule_finds_the_child_its_benefit_is_missing_for(world, situations):
    assert _found("orphan_without_allowance", world) == {"孤小一"}
    assert _found("fuc_without_subsidy", world) == {"无小二"}
    assert _found("dibao_without_measure", world) == {"低小三"}
    # Rehabilitation is for children aged 0–6: the nine-year-old is not listed.
    assert _found("young_disabled_without_rehabilitation", world) == {"残小四"}


def test_a_current_measure_meets_the_rule_and_an_ended_one_does_not(
    world, situations, director, county_officer
):
    orphan = situations["orphan"]
    measure = services.add_measure(
        director,
        orphan,
        {"programme": "orphan_scattered", "start_month": _today().replace(day=1)},
    )
    assert _found("orphan_without_allowance", world) == set()
    _end(county_officer, measure)
    assert _found("orphan_without_allowance", world) == {"孤小一"}


def test_the_gap_report_lists_each_rule_with_a_link_to_fix_it(
    client, world, situations, county_officer, django_assert_max_num_queries
):
    client.force_login(county_officer)
    url = reverse("villagefiles:gaps", args=[world["county"].code])
    with django_assert_max_num_queries(40):
        page = client.get(url)
    sections = {s.check.key: s for s in page.context["sections"]}
    for key in eligibility.RULES_BY_KEY:
        assert sections[key].count == 1, key
    line = sections["orphan_without_allowance"].lines[0]
    assert line.what == "孤小一"
    assert line.url == reverse("relief:child_section", args=[situations["orphan"].pk])
    one = client.get(url, {"all": "fuc_without_subsidy"})
    assert one.status_code == 200 and "无小二" in one.text


def test_the_childs_relief_section_shows_what_its_situation_calls_for(
    client, world, situations, director, django_assert_max_num_queries
):
    client.force_login(director)
    orphan = situations["orphan"]
    url = reverse("relief:child_section", args=[orphan.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url, headers={"HX-Request": "true"})
    assert 'data-testid="unmet-orphan_without_allowance"' in page.text
    assert (
        'data-testid="eligibility"'
        not in client.get(reverse("relief:child_section", args=[situations["ordinary"].pk])).text
    )
    young = client.get(reverse("relief:child_section", args=[situations["young"].pk])).text
    assert "unmet-young_disabled_without_rehabilitation" in young
    older = client.get(reverse("relief:child_section", args=[situations["older"].pk])).text
    assert "unmet-young_disabled_without_rehabilitation" not in older


def test_a_measure_still_paid_after_the_child_left_is_listed(
    world, child_a1, programmes, county_officer
):
    today = _today()
    measure = services.add_measure(
        county_officer,
        child_a1,
        {"programme": "dibao", "start_month": today.replace(day=1), "status": "active"},
    )
    prefix = world["county"].prefix
    assert list(eligibility.paid_after_leaving(prefix, today)) == []
    close_child(county_officer, child_a1, "moved_away", today)
    assert list(eligibility.paid_after_leaving(prefix, today)) == [measure]
    _end(county_officer, measure)
    assert list(eligibility.paid_after_leaving(prefix, today)) == []
