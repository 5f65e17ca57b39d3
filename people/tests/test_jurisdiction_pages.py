import pytest
from django.urls import reverse

from areas.codes import Level
from areas.models import Area, ServicePoint
from people.models import ResponsibilityPost, User
from people.summary import jurisdiction_summary, responsibility_rows
from tests.personas import make_user

Post = ResponsibilityPost.Post


@pytest.fixture
def staffed(world, director, other_director):
    """Teams: A1 complete; A2 has no home, no director, no team; B1 lacks a cadre."""
    for area, post, name in [
        (world["a1"], Post.TEAM_LEAD, "王建国"),
        (world["a1"], Post.CADRE, "李红"),
        (world["b1"], Post.TEAM_LEAD, "张强"),
        (world["b1"], Post.CADRE, ""),
        (world["a"], Post.PARTY_SECRETARY, "刘书记"),
        (world["a"], Post.TOWNSHIP_HEAD, "陈镇长"),
        (world["a"], Post.CIVIL_AFFAIRS_LEAD, "周"),
        (world["a"], Post.CIVIL_OFFICE_DIRECTOR, ""),
    ]:
        ResponsibilityPost.objects.create(area=area, post=post, holder_name=name)
    return world


def test_county_summary_counts_places_people_and_gaps(county_officer, staffed):
    summary = jurisdiction_summary(county_officer)
    assert summary == {
        "townships": 2,
        "villages": 3,
        "homes": 2,
        "directors": 2,
        "without_home": 1,
        "without_director": 1,
        "team_vacancies": 2,
        # A: one of four blank; B: no posts at all
        "township_vacancies": 1 + 4,
    }


def test_director_summary_is_the_village_only(director, staffed):
    summary = jurisdiction_summary(director)
    assert summary["villages"] == 1 and summary["homes"] == 1 and summary["directors"] == 1
    assert summary["without_home"] == 0 and summary["team_vacancies"] == 0


def test_responsibility_matrix_flags_vacancies(staffed):
    rows = {row["area"].code: row for row in responsibility_rows(staffed["a"])}
    assert [str(v) for v in rows[staffed["a"].code]["vacancies"]] == [
        str(Post.CIVIL_OFFICE_DIRECTOR.label)
    ]
    a2 = rows[staffed["a2"].code]["vacancies"]
    assert len(a2) == 3  # team lead, cadre, director
    assert rows[staffed["a1"].code]["vacancies"] == []


def test_gaps_page_lists_villages_without_home_or_director(client, county_officer, staffed):
    client.force_login(county_officer)
    response = client.get(reverse("people:gaps"))
    listed = {v.code for v in response.context["page"].object_list}
    assert listed == {staffed["a2"].code, staffed["b1"].code}


def test_home_page_shows_each_role_its_summary(client, township_officer, staffed):
    client.force_login(township_officer)
    response = client.get(reverse("home"))
    assert response.context["summary"]["villages"] == 2
    assert "城关镇" in response.content.decode()


def test_home_page_for_a_volunteer_has_an_empty_state(client, volunteer):
    client.force_login(volunteer)
    response = client.get(reverse("home"), follow=True)
    assert 'data-testid="no-paired"' in response.content.decode()


def test_area_drill_down_county_to_township_to_village(client, county_officer, staffed):
    client.force_login(county_officer)
    county_page = client.get(reverse("people:area_detail", kwargs={"code": "341623000000"}))
    rows = {r.code: r for r in county_page.context["rows"]}
    assert rows["341623100000"].village_count == 2
    assert rows["341623100000"].home_count == 1 and rows["341623100000"].director_count == 1
    township_page = client.get(reverse("people:area_detail", kwargs={"code": "341623100000"}))
    villages = {r.code: r for r in township_page.context["rows"]}
    assert villages[staffed["a1"].code].has_home and not villages[staffed["a2"].code].has_home
    village_page = client.get(reverse("people:area_detail", kwargs={"code": staffed["a1"].code}))
    assert village_page.status_code == 200
    assert "王庄村儿童之家" in village_page.content.decode()


def test_people_list_filters_by_role(
    client, county_officer, director, other_director, township_officer
):
    client.force_login(county_officer)
    response = client.get(reverse("people:person_list"), {"role": "director"})
    assert {p.username for p in response.context["page"].object_list} == {
        "director",
        "other_director",
    }


def grow(world, villages_per_township):
    """Add villages with homes, directors and teams under both townships."""
    for township in (world["a"], world["b"]):
        start = Area.objects.filter(parent=township).count()
        for n in range(start, start + villages_per_township):
            code = township.code[:9] + f"{300 + n:03d}"
            village = Area.objects.create(
                code=code, name=f"村{code}", level=Level.VILLAGE, parent=township
            )
            ServicePoint.objects.create(kind="home", area=village, name=f"家{code}")
            User.objects.create(username=f"d{code}", role="director", area=village)
            ResponsibilityPost.objects.create(area=village, post=Post.TEAM_LEAD, holder_name="x")


PAGES = [
    ("home", {}),
    ("people:area_detail", {"code": "341623000000"}),
    ("people:area_detail", {"code": "341623100000"}),
    ("people:gaps", {}),
    ("people:person_list", {}),
    ("people:responsibility", {"code": "341623000000"}),
    ("people:responsibility", {"code": "341623100000"}),
    ("areas:service_point_list", {}),
]


@pytest.mark.parametrize("name,kwargs", PAGES)
def test_page_queries_do_not_grow_with_the_data(
    client, county_officer, staffed, name, kwargs, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(county_officer)
    url = reverse(name, kwargs=kwargs)
    grow(staffed, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(staffed, 30)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200
    assert len(small) <= 12


def test_role_must_match_the_area_level(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        make_user("bad", "director", world["a"])
    assert "area" in excinfo.value.message_dict
