"""The gap report: the right lines under each heading, linking to where each gap is fixed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Activity
from tests.personas import A1, A2, B1, COUNTY, TOWNSHIP_A, make_child
from villagefiles import gaps


def keyed(sections):
    return {s.check.key: s for s in sections}


def test_report_lists_special_children_without_relief_or_contact(files_world, world):
    sections = keyed(gaps.report(TOWNSHIP_A[:9], dt.date(2026, 11, 20)))
    # 王小明 has both; 赵小刚's measure and contact have ended; 李小红 is ordinary.
    relief = sections["special_without_relief"]
    assert relief.count == 1 and [line.what for line in relief.lines] == ["赵小刚"]
    assert relief.lines[0].where == "城关镇 王庄村"
    assert relief.lines[0].url == reverse("relief:child_section", args=[files_world["gang"].pk])
    contact = sections["special_without_contact"]
    assert [line.what for line in contact.lines] == ["赵小刚"]


def test_a_measure_applied_for_counts_as_current(files_world, programme):
    from relief.models import ReliefMeasure

    ReliefMeasure.objects.create(
        child=files_world["gang"],
        programme=programme,
        start_month=dt.date(2026, 11, 1),
        status="applied",
    )
    sections = keyed(gaps.report(A1, dt.date(2026, 11, 20)))
    assert sections["special_without_relief"].count == 0


def test_closed_children_and_other_areas_are_not_listed(files_world, world):
    make_child(world["b1"], "张困难", caregiver=False)  # special, in township B
    sections = keyed(gaps.report(A1, dt.date(2026, 11, 20)))
    names = [line.what for line in sections["special_without_relief"].lines]
    assert "张困难" not in names and "钱已走" not in names
    county = keyed(gaps.report(COUNTY[:6], dt.date(2026, 11, 20)))
    assert "张困难" in [line.what for line in county["special_without_relief"].lines]


def test_villages_without_director_link_to_the_responsibility_matrix(files_world, world):
    sections = keyed(gaps.report(TOWNSHIP_A[:9], dt.date(2026, 11, 20)))
    villages = sections["villages_without_director"]
    assert [line.what for line in villages.lines] == ["李楼村"]  # A1 has the director
    assert villages.lines[0].url == reverse("people:responsibility", args=[A2])


def test_homes_without_an_activity_in_four_weeks(world, director):
    today = dt.date(2026, 11, 20)
    Activity.objects.create(
        home=world["home_a1"],
        held_on=today - dt.timedelta(days=27),
        theme="policy",
        recorded_by=director,
    )
    Activity.objects.create(
        home=world["home_b1"],
        held_on=today - dt.timedelta(days=28),
        theme="policy",
        recorded_by=director,
    )
    sections = keyed(gaps.report(COUNTY[:6], today))
    homes = sections["homes_without_activity"]
    assert [line.what for line in homes.lines] == ["张寨村儿童之家"]
    assert homes.lines[0].url == reverse("care:activity_new")
    assert "2026-10-23" in str(homes.lines[0].detail)
    # Four weeks later A1's home is overdue too.
    later = keyed(gaps.report(COUNTY[:6], today + dt.timedelta(days=1)))
    assert later["homes_without_activity"].count == 2


def test_overdue_returns_of_the_open_round_link_to_the_return(world, county_officer, director):
    from rounds import services as rounds

    the_round = rounds.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    assert keyed(gaps.report(COUNTY[:6], dt.date(2027, 1, 15)))["overdue_returns"].count == 0
    ret = the_round.returns.select_related("round", "area").get(area=world["a1"])
    make_child(world["a1"], "王小明")
    rounds.check_child(director, ret, rounds.roster(ret).get())
    rounds.submit_return(director, ret)
    sections = keyed(gaps.report(COUNTY[:6], dt.date(2027, 1, 16)))
    overdue = sections["overdue_returns"]
    assert overdue.count == 2  # A2 and B1 have not submitted; A1 has
    assert [line.what for line in overdue.lines] == ["李楼村", "张寨村"]
    assert overdue.lines[0].url.startswith("/rounds/returns/")
    township = keyed(gaps.report(TOWNSHIP_A[:9], dt.date(2027, 1, 16)))["overdue_returns"]
    assert township.count == 1


def test_report_caps_each_list_and_counts_the_rest(world):
    for i in range(gaps.LINE_LIMIT + 5):
        make_child(world["a2"], f"孩子{i:02d}", caregiver=False)
    section = keyed(gaps.report(A2, dt.date(2026, 11, 20)))["special_without_relief"]
    assert section.count == gaps.LINE_LIMIT + 5
    assert len(section.lines) == gaps.LINE_LIMIT and section.more == 5


def test_the_page_shows_counts_lines_and_more_links(client, world, township_officer):
    for i in range(gaps.LINE_LIMIT + 2):
        make_child(world["a2"], f"孩子{i:02d}", caregiver=False)
    client.force_login(township_officer)
    response = client.get(reverse("villagefiles:gaps"))  # the user's own area
    assert response.status_code == 200
    assert response.context["area"].code == TOWNSHIP_A
    body = response.content.decode()
    assert "孩子00" in body and "?all=special_without_relief" in body
    assert reverse("people:responsibility", args=[A2]) in body
    assert reverse("villagefiles:gaps", args=[A1]) in body  # drill down
    page = client.get(
        reverse("villagefiles:gaps", args=[TOWNSHIP_A]), {"all": "special_without_relief"}
    )
    assert page.status_code == 200
    assert page.context["page"].paginator.count == gaps.LINE_LIMIT + 2
    assert "孩子21" in page.content.decode()


@pytest.mark.parametrize(
    "persona,code",
    [("director", B1), ("director", TOWNSHIP_A), ("other_township_officer", A1)],
)
def test_gap_reports_outside_the_jurisdiction_are_not_found(client, everyone, persona, code):
    client.force_login(everyone[persona])
    assert client.get(reverse("villagefiles:gaps", args=[code])).status_code == 404


def test_roles_without_an_area_get_no_gap_report(client, volunteer):
    client.force_login(volunteer)
    assert client.get(reverse("villagefiles:gaps")).status_code == 404


def test_gap_report_runs_a_bounded_number_of_queries(
    client, files_world, world, county_officer, django_assert_max_num_queries
):
    for i in range(30):
        make_child(world["a2"], f"孩子{i:02d}", caregiver=False)
    today = timezone.localdate()
    Activity.objects.create(
        home=world["home_a1"], held_on=today, theme="policy", recorded_by=county_officer
    )
    client.force_login(county_officer)
    # session, user, area, breadcrumbs, areas below; then two queries for all the checks of
    # children (one walk of the register, one look-up of the children shown) and two for each
    # other check.
    others = [c for c in gaps.CHECKS if c.child_condition is None]
    with django_assert_max_num_queries(5 + 2 + 2 * len(others)):
        assert client.get(reverse("villagefiles:gaps", args=[COUNTY])).status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("villagefiles:gaps", args=[COUNTY]), {"all": "special_without_contact"}
        )
        assert response.status_code == 200


def test_a_child_without_a_legal_basis_is_a_gap_until_one_is_recorded(world, director):
    from children.services import record_basis

    child = make_child(world["a1"], "王无据")
    make_child(world["b1"], "张无据")  # township B: not under A1
    section = keyed(gaps.report(A1, dt.date(2026, 11, 20)))["children_without_basis"]
    assert [line.what for line in section.lines] == ["王无据"]
    assert section.lines[0].url == reverse("children:basis", args=[child.pk])
    assert section.lines[0].detail == "未记录监护人同意或处理依据"
    record_basis(
        director,
        child,
        {"processing_basis": "statutory_duty", "basis_on": dt.date(2026, 1, 1), "basis_law": "x"},
    )
    assert keyed(gaps.report(A1, dt.date(2026, 11, 20)))["children_without_basis"].count == 0


def test_the_gap_report_page_names_children_without_a_legal_basis(client, world, county_officer):
    make_child(world["a1"], "王无据")
    client.force_login(county_officer)
    page = client.get(reverse("villagefiles:gaps", args=[A1])).text
    assert 'data-testid="gap-children_without_basis"' in page
    assert "未记录监护人同意或处理依据的儿童" in page and "王无据" in page


def test_the_reports_one_walk_finds_what_each_checks_own_rows_find(
    files_world, world, programme, django_assert_num_queries
):
    """The report finds the children of its checks of children in one walk of the register;
    each section's count and first lines are those of the check's own rows (the ?all= pages),
    in the same order."""
    from children.models import Child

    for i in range(12):
        make_child(world["a2"], f"孩子{i:02d}", caregiver=False)
    Child.objects.filter(name__in=["孩子03", "孩子07"]).update(is_orphan=True, dibao=True)
    Child.objects.filter(name="孩子05").update(processing_basis="")
    today = dt.date(2026, 11, 20)
    children_checks = [c for c in gaps.CHECKS if c.child_condition is not None]
    assert len(children_checks) >= 7
    with django_assert_num_queries(2):
        found = gaps.children_found(COUNTY[:6], today, children_checks, limit=5)
    assert found["special_without_relief"][0] > 5  # more than the lines shown
    assert found["orphan_without_allowance"][0] == 2
    for check in children_checks:
        rows = check.rows(COUNTY[:6], today)
        count, children = found[check.key]
        assert count == rows.count(), check.key
        assert [c.pk for c in children] == [c.pk for c in rows[:5]], check.key
    sections = keyed(gaps.report(COUNTY[:6], today, limit=5))
    assert [line.what for line in sections["orphan_without_allowance"].lines] == [
        "孩子03",
        "孩子07",
    ]
