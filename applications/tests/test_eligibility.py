"""Eligibility checks (issue 16, point 4): what a special-attention child's situation calls
for and no current measure or open application meets, in the gap report and on the child's
page; and measures still paid for children who left the register."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import eligibility
from applications import services as applications
from children.services import close_child, review_ages
from relief import services
from relief.models import Programme
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def programmes(world):
    """The test county's default catalogue."""
    from relief.catalogue import ensure_catalogue

    ensure_catalogue(world["county"])


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
    apply = reverse("applications:new", args=[situations["orphan"].pk])
    assert line.url == f"{apply}?programme=orphan_scattered"
    one = client.get(url, {"all": "fuc_without_subsidy"})
    assert one.status_code == 200 and "无小二" in one.text


def test_the_childs_page_shows_what_its_situation_calls_for_with_a_link_to_apply(
    client, world, situations, director, django_assert_max_num_queries
):
    client.force_login(director)
    orphan = situations["orphan"]
    page = client.get(reverse("children:detail", args=[orphan.pk])).text
    assert 'data-testid="unmet-orphan_without_allowance"' in page
    apply = reverse("applications:new", args=[orphan.pk]) + "?programme=orphan_scattered"
    assert f'href="{apply}"' in page
    form = client.get(apply).context["form"]
    assert form.fields["programme"].initial == Programme.objects.get(code="orphan_scattered").pk
    ordinary = client.get(reverse("children:detail", args=[situations["ordinary"].pk])).text
    assert 'data-testid="eligibility"' not in ordinary
    young = client.get(reverse("children:detail", args=[situations["young"].pk])).text
    assert "unmet-young_disabled_without_rehabilitation" in young
    older = client.get(reverse("children:detail", args=[situations["older"].pk])).text
    assert "unmet-young_disabled_without_rehabilitation" not in older


def test_an_open_application_meets_the_rule_and_a_refused_one_does_not(
    world, situations, director, township_staff, county_officer
):
    fuc = situations["fuc"]
    opened = applications.open_application(
        director, fuc, {"programme": "fuc", "reason": "父亲失联，母亲去世。"}
    )
    assert _found("fuc_without_subsidy", world) == set()
    assert "fuc_without_subsidy" not in [r.key for r in eligibility.unmet_for(fuc, _today())]
    checked = applications.check_application(
        township_staff,
        opened,
        {"findings": "经信息比对属实。", "cross_checked": "公安户籍", "passed": True},
    )
    applications.decide_application(
        county_officer,
        checked,
        {"approved": False, "decision_reason": "监护人材料不全，无法认定。"},
    )
    assert _found("fuc_without_subsidy", world) == {"无小二"}
    assert "fuc_without_subsidy" in [r.key for r in eligibility.unmet_for(fuc, _today())]


def test_a_measure_still_paid_after_the_child_left_is_listed(world, programmes, county_officer):
    today = _today()
    child_a1 = make_child(world["a1"], "王小明")
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


def test_a_childs_checks_compiled_are_the_orms_and_the_gap_reports(world, situations):
    from core.compiled import uncompiled

    today = _today()
    found = {rule.key: _found(rule.key, world) for rule in eligibility.RULES}
    for child in situations.values():
        compiled = eligibility.unmet_for(child, today)
        with uncompiled():
            assert compiled == eligibility.unmet_for(child, today)
        assert {r.key for r in compiled} == {k for k, names in found.items() if child.name in names}
