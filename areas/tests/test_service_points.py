import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from areas.models import ServicePoint
from core.models import AuditEntry


def edit_url(point):
    return reverse("areas:service_point_edit", kwargs={"pk": point.pk})


def form_data(client, point, **changes):
    form = client.get(edit_url(point)).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return data


def edit_home(client, user, home, **changes):
    """`user` posts the edit form of `home` as shown, with `changes`."""
    client.force_login(user)
    return client.post(edit_url(home), form_data(client, home, **changes))


def test_director_edits_own_childrens_home_and_the_change_is_audited(client, director, world):
    home = world["home_a1"]
    response = edit_home(
        client, director, home, opening_hours="周六 9:00-11:30", floor_area_m2="45.5"
    )
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.opening_hours == "周六 9:00-11:30"
    entry = AuditEntry.objects.get(action="areas.servicepoint.updated")
    assert entry.actor == director and entry.area_code == world["a1"].code
    assert entry.data["changes"]["opening_hours"] == ["", "周六 9:00-11:30"]
    assert entry.data["changes"]["floor_area_m2"] == ["40.0", "45.5"]


def test_bad_input_shows_field_errors_and_saves_nothing(client, director, world):
    home = world["home_a1"]
    response = edit_home(client, director, home, name="", floor_area_m2="-3")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors and "floor_area_m2" in errors
    home.refresh_from_db()
    assert home.name == "王庄村儿童之家"
    assert not AuditEntry.objects.filter(action="areas.servicepoint.updated").exists()


def test_a_stale_edit_is_refused_not_overwritten(client, director, township_officer, world):
    home = world["home_a1"]
    client.force_login(director)
    stale = form_data(client, home, phone="13800000000")
    # Meanwhile the township officer saves a change.
    from django.test import Client

    other = Client()
    other.force_login(township_officer)
    other.post(edit_url(home), form_data(other, home, phone="13900000000"))
    response = client.post(edit_url(home), stale)
    assert response.status_code == 200
    assert (
        "Someone else changed" in str(response.context["form"].non_field_errors())
        or response.context["form"].non_field_errors()
    )
    home.refresh_from_db()
    assert home.phone == "13900000000"


def test_leader_cannot_edit(client, leader, world):
    client.force_login(leader)
    response = client.post(edit_url(world["home_a1"]), {"name": "x"})
    assert response.status_code == 403


def test_director_cannot_edit_another_village_home(client, director, world):
    client.force_login(director)
    assert client.post(edit_url(world["home_b1"]), {"name": "x"}).status_code == 404


def test_a_childrens_home_belongs_to_a_village(world):
    point = ServicePoint(kind=ServicePoint.Kind.CHILDRENS_HOME, area=world["a"], name="x")
    with pytest.raises(ValidationError) as excinfo:
        point.full_clean()
    assert "area" in excinfo.value.message_dict


def test_home_list_searches_and_paginates(
    client, county_officer, world, django_assert_max_num_queries
):
    client.force_login(county_officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("areas:service_point_list"), {"q": "王庄"})
    names = [p.name for p in response.context["page"].object_list]
    assert names == ["王庄村儿童之家"]


def test_home_list_htmx_request_renders_only_the_table(client, county_officer, world):
    client.force_login(county_officer)
    response = client.get(reverse("areas:service_point_list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert "王庄村儿童之家" in response.content.decode()


def test_township_opens_a_home_in_a_village_that_lacks_one(client, township_officer, world):
    client.force_login(township_officer)
    url = reverse("areas:childrens_home_new")
    form = client.get(url, {"area": world["a2"].code}).context["form"]
    assert form["area_code"].value() == world["a2"].code
    response = client.post(
        url,
        {
            "area_code": world["a2"].code,
            "name": "李楼村儿童之家",
            "address": "李楼村村委会",
            "opening_hours": "周六",
            "floor_area_m2": "30",
            "phone": "",
        },
    )
    assert response.status_code == 302
    home = ServicePoint.objects.homes().get(area=world["a2"])
    entry = AuditEntry.objects.get(action="areas.servicepoint.created")
    assert entry.object_id == str(home.pk) and entry.area_code == world["a2"].code


def test_a_second_home_or_a_village_outside_the_jurisdiction_is_refused(
    client, township_officer, world
):
    client.force_login(township_officer)
    url = reverse("areas:childrens_home_new")
    for code in (world["a1"].code, world["b1"].code, world["a"].code):
        response = client.post(url, {"area_code": code, "name": "x"})
        assert "area_code" in response.context["form"].errors
    assert ServicePoint.objects.homes().count() == 2


def test_every_page_of_the_home_list_lists_homes(client, county_officer, world):
    client.force_login(county_officer)
    first = client.get(reverse("areas:service_point_list"))
    second = client.get(reverse("areas:service_point_list"), {"page": "2"})
    assert first.context["page"].paginator.count == second.context["page"].paginator.count == 2
