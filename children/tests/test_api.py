import datetime as dt

import pytest
from rest_framework.test import APIClient

from children.models import Child
from core import idnumber
from core.models import AuditEntry
from tests.personas import A1, B1, make_child

BORN = dt.date(2016, 5, 1)


@pytest.fixture
def api():
    return APIClient()


def payload(**overrides):
    data = {
        "area": A1,
        "name": "王小虎",
        "sex": "M",
        "birth_date": BORN.isoformat(),
        "id_number": idnumber.make("341623", BORN, 123),
        "schooling": "primary",
        "father": {
            "name": "王大山",
            "status": "migrant",
            "work_province": "浙江",
            "work_city": "杭州",
            "status_since": "2024-03-01",
        },
        "mother": {"name": "刘梅", "status": "migrant", "work_province": "江苏"},
        "caregiver": {
            "name": "王奶奶",
            "relationship": "grandparent",
            "age": 67,
            "health": "healthy",
            "assessment": "good",
        },
    }
    data.update(overrides)
    return data


def test_register_through_the_api_classifies_and_audits(api, director):
    api.force_authenticate(director)
    response = api.post("/api/v1/children/", payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["classification"]["left_behind"] is True
    assert body["father"]["work_city"] == "杭州"
    child = Child.objects.get()
    assert child.changes.get().kind == "registered"
    assert AuditEntry.objects.filter(action="children.child.created", actor=director).exists()


def test_api_validation_uses_the_pages_rules(api, director):
    api.force_authenticate(director)
    bad_id = idnumber.make("341623", BORN, 124)  # a girl's number for a boy
    response = api.post(
        "/api/v1/children/",
        payload(id_number=bad_id, area=B1, father={"status": "migrant"}),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert {"area", "father.work_province"} <= set(errors)
    assert not Child.objects.exists()


def test_retrieve_is_audited_and_outside_is_404(api, director, world):
    mine, theirs = make_child(world["a1"]), make_child(world["b1"], "张三")
    api.force_authenticate(director)
    assert api.get(f"/api/v1/children/{mine.pk}/").status_code == 200
    assert AuditEntry.objects.filter(
        action="children.child.read", object_id=str(mine.pk), data__via="api"
    ).exists()
    assert api.get(f"/api/v1/children/{theirs.pk}/").status_code == 404


def test_update_needs_the_version_and_refuses_a_stale_one(api, director, world):
    child = make_child(world["a1"])
    api.force_authenticate(director)
    url = f"/api/v1/children/{child.pk}/"
    assert api.patch(url, {"village_group": "三组"}, format="json").status_code == 400
    version = api.get(url).json()["version"]
    response = api.patch(
        url,
        {
            "version": version,
            "caregiver": {"name": "李奶奶", "relationship": "grandparent", "assessment": "poor"},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["classification"]["care_level"] == "special"
    stale = api.patch(url, {"version": version, "village_group": "五组"}, format="json")
    assert stale.status_code == 409
    child.refresh_from_db()
    assert child.village_group == ""


def test_there_is_no_delete(api, county_officer, world):
    child = make_child(world["a1"])
    api.force_authenticate(county_officer)
    assert api.delete(f"/api/v1/children/{child.pk}/").status_code == 405
    assert Child.objects.filter(pk=child.pk).exists()


def test_list_filters_and_masks_for_the_leader(api, leader, world):
    number = idnumber.make("341623", BORN, 11)
    make_child(world["a1"], "王一", id_number=number)
    make_child(world["a1"], "王二", dibao=True)
    api.force_authenticate(leader)
    body = api.get("/api/v1/children/", {"category": "poverty"}).json()
    assert [c["name"] for c in body["results"]] == ["王二"]
    one = api.get("/api/v1/children/", {"q": "wy"}).json()["results"][0]
    assert one["id_number"] == idnumber.mask(number)


def test_list_query_count_is_bounded(api, county_officer, world, django_assert_max_num_queries):
    for i in range(30):
        make_child(world["a1"], f"王{i}")
    api.force_authenticate(county_officer)
    # The list's 4, the reader's hourly budget, the audit entry with its chain head (3).
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/children/").status_code == 200


@pytest.mark.parametrize(
    "body,field",
    [
        ([1, 2, 3], "non_field_errors"),
        ({**payload(), "dibao": "perhaps"}, "dibao"),
        ({**payload(), "caregiver": "yes"}, "caregiver.non_field_errors"),
        ({**payload(), "birth_date": "2016-02-30"}, "birth_date"),
        ({**payload(), "father": {"status": "astronaut"}}, "father.status"),
    ],
)
def test_wrong_json_types_are_400_with_the_field(api, director, body, field):
    api.force_authenticate(director)
    response = api.post("/api/v1/children/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Child.objects.exists()


def test_zero_is_false(api, director):
    api.force_authenticate(director)
    response = api.post("/api/v1/children/", {**payload(), "dibao": 0}, format="json")
    assert response.status_code == 201
    assert Child.objects.get().dibao is False


def test_possible_duplicates_are_listed_in_the_error(api, director, world):
    make_child(world["a1"], "张伟", born=BORN)
    api.force_authenticate(director)
    response = api.post("/api/v1/children/", payload(name="张玮", id_number=""), format="json")
    assert response.status_code == 400
    assert response.json()["possible_duplicates"][0]["name"] == "张伟"
    ok = api.post(
        "/api/v1/children/",
        payload(name="张玮", id_number="", confirm_not_duplicate=True),
        format="json",
    )
    assert ok.status_code == 201


def test_the_list_writes_each_child_as_drfs_own_steps_would(api, director, world):
    """core.api.PlainFieldsMixin reads the columns itself: the same JSON as DRF's steps."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from children.serializers import ChildSerializer, ClassificationSerializer
    from core.api import PlainFieldsMixin

    api.force_authenticate(director)
    assert api.post("/api/v1/children/", payload(), format="json").status_code == 201
    make_child(world["a1"], "李四")
    request = Request(APIRequestFactory().get("/"))
    request.user = director
    for child in Child.objects.all():
        for serializer in (ChildSerializer, ClassificationSerializer):
            one = serializer(context={"request": request})
            drf = super(PlainFieldsMixin, one).to_representation(child)
            assert one.to_representation(child) == drf
            assert list(one.to_representation(child)) == list(drf)  # the same order
