"""Registering and editing children through the pages: validation, classification, history."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from children.models import Child, ChildChange
from core import idnumber
from core.models import AuditEntry
from tests.personas import make_child

NEW = reverse("children:new")
BORN = dt.date(2016, 5, 1)
VALID_ID = idnumber.make("341623", BORN, 123)  # odd sequence: a boy


def fewest_fields(world, **fields):
    """The fewest fields of the new-child form that register a child (both parents away)."""
    return {
        "area": world["a1"].pk,
        "name": "王小虎",
        "sex": "M",
        "ethnicity": "汉族",
        "hukou_registered": "on",
        "hukou_type": "rural",
        "health": "healthy",
        "father-status": "migrant",
        "father-work_province": "浙江",
        "mother-status": "migrant",
        "mother-work_province": "江苏",
        **fields,
    }


def post_new(client, user, data):
    """`user` posts the new-child form with `data`."""
    client.force_login(user)
    return client.post(NEW, data)


def form_data(world, **overrides):
    data = {
        "area": world["a1"].pk,
        "name": "王小虎",
        "sex": "M",
        "ethnicity": "汉族",
        "birth_date": BORN.isoformat(),
        "id_number": VALID_ID,
        "hukou_registered": "on",
        "hukou_type": "rural",
        "health": "healthy",
        "schooling": "primary",
        "father-name": "王大山",
        "father-status": "migrant",
        "father-work_province": "浙江",
        "father-work_city": "杭州",
        "father-status_since": "2024-03-01",
        "mother-name": "刘梅",
        "mother-status": "migrant",
        "mother-work_province": "江苏",
        "caregiver-has_caregiver": "on",
        "caregiver-name": "王奶奶",
        "caregiver-relationship": "grandparent",
        "caregiver-age": "67",
        "caregiver-health": "healthy",
        "caregiver-assessment": "good",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_director_registers_a_left_behind_child_and_sees_why(client, director, world):
    response = post_new(client, director, form_data(world))
    assert response.status_code == 302, response.context and [
        (f.prefix, f.errors) for f in (response.context["form"],)
    ]
    child = Child.objects.get()
    assert child.is_left_behind and child.care_level == "ordinary"
    page = client.get(response["Location"]).content.decode()
    assert "浙江 杭州" in page and "父母双方外出" in page
    assert VALID_ID in page  # a director sees the full number
    assert ChildChange.objects.get(child=child).kind == "registered"
    assert AuditEntry.objects.filter(action="children.child.created").exists()
    assert AuditEntry.objects.filter(action="children.child.read", actor=director).exists()


def test_identity_number_is_encrypted_at_rest_and_masked(world, director):
    child = make_child(world["a1"], id_number=VALID_ID)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_cipher, id_hash, id_masked FROM children_child WHERE id = %s", [child.pk]
        )
        cipher, digest, masked = cursor.fetchone()
    assert VALID_ID not in cipher and digest != VALID_ID
    assert masked == VALID_ID[:6] + "********" + VALID_ID[-4:]
    assert Child.objects.with_id_number(VALID_ID.lower()).get() == child
    assert child.id_number == VALID_ID


def test_leader_sees_only_the_masked_number(client, leader, world):
    child = make_child(world["a1"], id_number=VALID_ID)
    client.force_login(leader)
    page = client.get(reverse("children:detail", kwargs={"pk": child.pk})).content.decode()
    assert VALID_ID not in page and child.id_masked in page


@pytest.mark.parametrize(
    "number,field,fragment",
    [
        (VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"), "id_number", "校验码错误"),
        ("34162320161301123X", "id_number", "不存在"),
        ("3416232016", "id_number", "18位"),
        (idnumber.make("341623", dt.date(2016, 5, 2), 123), "birth_date", "2016-05-02"),
        (idnumber.make("341623", BORN, 124), "sex", "女"),
    ],
)
def test_identity_number_errors_are_shown_on_the_right_field(
    client, director, world, number, field, fragment
):
    response = post_new(client, director, form_data(world, id_number=number))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and fragment in " ".join(errors[field])
    assert not Child.objects.exists()


def test_id_errors_in_english(client, director, world):
    client.force_login(director)
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(NEW, form_data(world, id_number="3416232016"))
    assert "An identity number has 18 characters" in response.content.decode()


def test_a_child_without_an_identity_number_is_flagged_for_follow_up(client, director, world):
    client.force_login(director)
    client.post(NEW, form_data(world, id_number=""))
    child = Child.objects.get()
    assert child.needs_id_follow_up
    roster = client.get(reverse("children:roster"), {"category": "no_id"})
    assert [c.pk for c in roster.context["page"].object_list] == [child.pk]


def test_a_duplicate_identity_number_names_the_village_only_when_visible(
    client, director, other_director, world
):
    make_child(world["b1"], "张三", id_number=VALID_ID)
    response = post_new(client, director, form_data(world))
    message = " ".join(response.context["form"].errors["id_number"])
    assert "其他辖区" in message and "张寨村" not in message
    response = post_new(client, other_director, form_data(world, area=world["b1"].pk))
    assert "张寨村" in " ".join(response.context["form"].errors["id_number"])


def test_same_birth_date_and_same_pinyin_warns_before_saving(client, director, world):
    make_child(world["a1"], "张伟", born=BORN)
    client.force_login(director)
    data = form_data(world, name="张玮", id_number="")
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert [d["name"] for d in response.context["form"].possible_duplicates] == ["张伟"]
    assert Child.objects.count() == 1
    response = client.post(NEW, {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302 and Child.objects.count() == 2


def test_every_section_shows_its_errors_at_once(client, director, world):
    response = post_new(
        client,
        director,
        form_data(
            world,
            name="",
            **{
                "father-status": "migrant",
                "father-work_province": "",
                "caregiver-name": "",
                "birth_date": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
            },
        ),
    )
    ctx = response.context
    assert "name" in ctx["form"].errors and "birth_date" in ctx["form"].errors
    assert "work_province" in ctx["father_form"].errors
    assert "name" in ctx["caregiver_form"].errors


def child_step(client, user, world, url_name):
    """A child of village A1, `user` logged in, and the address of the child's page
    `url_name`."""
    child = make_child(world["a1"])
    client.force_login(user)
    return child, reverse(url_name, kwargs={"pk": child.pk})


def edit(client, child, **changes):
    url = reverse("children:edit", kwargs={"pk": child.pk})
    response = client.get(url)
    data = {}
    for key in ("form", "father_form", "mother_form", "caregiver_form"):
        form = response.context[key]
        for name in form.fields:
            value = form[name].value()
            if value in (None, False):
                continue
            if value is True:
                value = "on"
            if isinstance(value, dt.date):
                value = value.isoformat()
            data[form.add_prefix(name)] = value
    data.update(changes)
    return client.post(url, data)


def test_poor_caregiver_assessment_raises_the_care_level_and_is_in_the_history(
    client, director, world
):
    child = make_child(world["a1"], id_number=VALID_ID)
    client.force_login(director)
    response = edit(client, child, **{"caregiver-assessment": "poor"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.care_level == "special"
    change = child.changes.filter(kind="updated").get()
    assert change.changes["caregiver.assessment"] == ["good", "poor"]
    assert change.changes["care_level"] == ["ordinary", "special"]
    page = client.get(reverse("children:detail", kwargs={"pk": child.pk})).content.decode()
    assert "监护情况评估" in page and "重点关注" in page


def test_a_stale_edit_is_refused(client, director, township_officer, world):
    from django.test import Client

    child, url = child_step(client, director, world, "children:edit")
    client.get(url)
    other = Client()
    other.force_login(township_officer)
    assert edit(other, child, village_group="三组").status_code == 302
    # The director's form was based on the version before the officer's save.
    old_version = ChildChange.objects.filter(child=child).count()  # noqa: F841
    response = edit(client, child, based_on="2000-01-01T00:00:00+00:00", village_group="五组")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    child.refresh_from_db()
    assert child.village_group == "三组"


def test_closing_keeps_the_record(client, director, world):
    child, url = child_step(client, director, world, "children:close")
    response = client.post(
        url, {"reason": "moved_away", "on": "2026-11-01", "note": "随父母迁往杭州"}
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == "closed" and child.closed_reason == "moved_away"
    active = client.get(reverse("children:roster")).context["page"].object_list
    assert child not in list(active)
    closed = client.get(reverse("children:roster"), {"status": "closed"})
    assert child in list(closed.context["page"].object_list)
    client.post(reverse("children:reopen", kwargs={"pk": child.pk}))
    child.refresh_from_db()
    assert child.status == "active"


def test_an_officer_overrides_the_care_level_only_with_a_reason(client, township_officer, world):
    child, url = child_step(client, township_officer, world, "children:care_level")
    response = client.post(url, {"level": "special", "reason": " "})
    assert "reason" in response.context["form"].errors
    client.post(url, {"level": "special", "reason": "母亲来电反映孩子情绪低落"})
    child.refresh_from_db()
    assert child.care_level == "special" and child.computed_care_level == "ordinary"
    assert child.changes.filter(kind="overridden").exists()


def test_transfer_keeps_history_and_both_townships_see_the_handover(
    client, township_officer, other_township_officer, world
):
    child = make_child(world["a1"])
    client.force_login(township_officer)
    response = client.post(
        reverse("children:transfer", kwargs={"pk": child.pk}),
        {"to_area": world["b1"].pk, "reason": "随祖父母搬迁"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.area == world["b1"]
    assert child.changes.filter(kind="transferred").get().changes["area"] == [
        world["a1"].code,
        world["b1"].code,
    ]
    handover = client.get(reverse("children:transfers")).context["page"].object_list
    assert [t.child_id for t in handover] == [child.pk]
    assert client.get(reverse("children:detail", kwargs={"pk": child.pk})).status_code == 404
    client.force_login(other_township_officer)
    assert client.get(reverse("children:detail", kwargs={"pk": child.pk})).status_code == 200
    assert len(client.get(reverse("children:transfers")).context["page"].object_list) == 1


def test_siblings_are_linked_both_ways_and_kept_in_the_history(client, director, world):
    older = make_child(world["a1"], "王大宝", born=dt.date(2012, 3, 3))
    younger = make_child(world["a1"], "王小宝", born=dt.date(2015, 6, 6))
    client.force_login(director)
    response = edit(client, younger, siblings=[older.pk])
    assert response.status_code == 302
    assert list(older.siblings.all()) == [younger]
    change = younger.changes.get(kind="updated")
    assert change.changes["siblings"] == [[], ["王大宝 (2012-03-03)"]]
    page = client.get(reverse("children:detail", kwargs={"pk": older.pk})).content.decode()
    assert "王小宝" in page


def test_the_duplicate_warning_never_names_a_child_outside_the_jurisdiction(
    client, director, world
):
    make_child(world["b1"], "张伟", born=BORN)
    response = post_new(client, director, form_data(world, name="张玮", id_number=""))
    page = response.content.decode()
    assert "张伟" not in page and "张寨村" not in page
    assert "其他辖区" in page
    assert not Child.objects.filter(name="张玮").exists()


def test_full_width_digits_do_not_slip_past_the_uniqueness_check(client, director, world):
    make_child(world["a1"], "王一", id_number=VALID_ID)
    client.force_login(director)
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID_ID)
    response = client.post(NEW, form_data(world, name="王二", id_number=wide))
    assert "id_number" in response.context["form"].errors
    assert Child.objects.count() == 1


def test_opening_the_edit_form_is_audited_as_a_read(client, director, world):
    child = make_child(world["a1"])
    client.force_login(director)
    client.get(reverse("children:edit", kwargs={"pk": child.pk}))
    assert AuditEntry.objects.filter(action="children.child.read", data__via="edit").exists()


def test_the_edit_form_cannot_move_a_child_to_another_village(client, township_officer, world):
    child = make_child(world["a1"])
    client.force_login(township_officer)
    response = edit(client, child, area=str(world["a2"].pk))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.area == world["a1"] and not child.transfers.exists()


def test_an_impossible_version_token_is_a_stale_form_not_a_500(client, director, world):
    child = make_child(world["a1"])
    client.force_login(director)
    response = edit(client, child, based_on="2024-02-30T10:00:00+08:00")
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_links_to_siblings_the_user_cannot_see_survive_an_edit(
    client, director, township_officer, world
):
    from children.services import update_child

    child = make_child(world["a1"], "王大宝")
    cousin = make_child(world["b1"], "王二宝")  # B1: outside the director's village
    update_child(None, child, {}, siblings=[cousin])
    client.force_login(director)
    assert edit(client, child).status_code == 302
    assert list(child.siblings.all()) == [cousin]
    assert cousin.changes.filter(kind="updated").exists()  # the link is in its history too


def test_an_unknown_status_keeps_the_active_only_default(client, county_officer, world):
    child = make_child(world["a1"])
    from children.services import close_child

    close_child(None, child, "moved_away", dt.date(2026, 1, 1))
    client.force_login(county_officer)
    listed = client.get(reverse("children:roster"), {"status": "bogus"}).context["page"]
    assert child not in list(listed.object_list)
