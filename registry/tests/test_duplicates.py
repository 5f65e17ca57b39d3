"""Likely duplicates: the three rules, the county's scope, not the same child, the page."""

import datetime as dt

import pytest
from django.urls import reverse

from children.models import Child
from core.models import AuditEntry
from registry import duplicates, policy, services
from registry.models import DistinctPair
from tests.personas import COUNTY, make_child

BORN = dt.date(2016, 5, 1)


def test_same_name_and_birth_date_is_a_likely_pair_across_townships(world):
    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["b1"], "王小明", born=BORN)
    make_child(world["b1"], "王小明", born=dt.date(2016, 5, 2))  # another day: not a pair
    pairs = duplicates.likely_duplicates(COUNTY[:6])
    assert [(p.first_id, p.second_id, p.rules) for p in pairs] == [(a.pk, b.pk, [policy.SAME_NAME])]


def test_same_pinyin_birth_date_and_village_is_a_likely_pair(world):
    # 王晓明 and 王小明 are both "wangxiaoming": a typing slip of the same child.
    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["a1"], "王晓明", born=BORN)
    make_child(world["a2"], "汪小明", born=BORN)  # same pinyin and day, another village
    pairs = duplicates.likely_duplicates(COUNTY[:6])
    assert [(p.first_id, p.second_id, p.rules) for p in pairs] == [
        (a.pk, b.pk, [policy.SAME_PINYIN])
    ]


def test_same_identity_number_is_found_by_its_hash():
    # The identity number is unique among records, so the rule is checked on the grouping
    # itself: two rows with one hash (as after a merge of keys or a load from elsewhere).
    rows = [
        (1, "王小明", "wangxiaoming", BORN, 7, "h1"),
        (2, "王明", "wangming", dt.date(2016, 6, 1), 8, "h1"),
        (3, "李四", "lisi", BORN, 7, None),
        (4, "李四", "lisi", BORN, 7, None),
    ]
    found = duplicates.pairs_of(rows)
    assert found == {
        (1, 2): [policy.SAME_ID],
        (3, 4): [policy.SAME_NAME, policy.SAME_PINYIN],
    }


def test_another_countys_record_is_never_paired(world):
    from areas.codes import Level
    from areas.models import Area

    other = Area.objects.create(
        code="341621000000", name="涡阳县", level=Level.COUNTY, parent=world["city"]
    )
    township = Area.objects.create(
        code="341621100000", name="城关镇", level=Level.TOWNSHIP, parent=other
    )
    village = Area.objects.create(
        code="341621100201", name="东村", level=Level.VILLAGE, parent=township
    )
    make_child(world["a1"], "王小明", born=BORN)
    make_child(village, "王小明", born=BORN)
    assert duplicates.likely_duplicates(COUNTY[:6]) == []
    assert duplicates.likely_duplicates("341621") == []


def test_a_pair_marked_as_two_children_stops_showing_and_is_audited(world, county_officer):
    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["b1"], "王小明", born=BORN)
    services.mark_distinct(county_officer, b, a, "双胞胎？不，不同父母")
    assert DistinctPair.objects.get().first_id == a.pk  # stored in one order
    assert duplicates.likely_duplicates(COUNTY[:6]) == []
    entry = AuditEntry.objects.get(action="registry.distinctpair.created")
    assert entry.data["first"] == a.pk and entry.data["second"] == b.pk


def test_only_the_county_officer_marks_pairs(world, township_officer, leader):
    from core.exceptions import Refused

    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["a2"], "王小明", born=BORN)
    for user in (township_officer, leader):
        with pytest.raises(Refused):
            services.mark_distinct(user, a, b)


def test_the_list_page_shows_each_pair_with_why_and_is_audited(client, world, county_officer):
    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["b1"], "王小明", born=BORN)
    client.force_login(county_officer)
    response = client.get(reverse("registry:duplicate_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert reverse("registry:pair", args=[a.pk, b.pk]) in text
    assert str(policy.RULES[policy.SAME_NAME]) in text
    entry = AuditEntry.objects.filter(action="registry.duplicates.listed").latest("pk")
    assert set(entry.data["ids"]) == {a.pk, b.pk}


def test_the_list_runs_a_bounded_number_of_queries(
    client, world, county_officer, django_assert_max_num_queries
):
    for i, name in enumerate(["王小明", "李红", "张伟", "赵丽", "刘洋", "陈静"]):
        born = BORN + dt.timedelta(days=i)
        make_child(world["a1"], name, born=born)
        make_child(world["b1"], name, born=born)
        make_child(world["a2"], name, born=born)
    client.force_login(county_officer)
    client.get(reverse("registry:duplicate_list"))  # warm the session and menu
    with django_assert_max_num_queries(14):
        response = client.get(reverse("registry:duplicate_list"))
    assert response.content.decode().count(">Compare<") or response.status_code == 200
    assert len(duplicates.likely_duplicates(COUNTY[:6])) == 18


def test_the_pair_page_marks_two_children(client, world, county_officer):
    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["b1"], "王小明", born=BORN)
    client.force_login(county_officer)
    page = client.get(reverse("registry:pair", args=[a.pk, b.pk]))
    assert page.status_code == 200
    assert AuditEntry.objects.filter(action="children.child.read", object_id=str(a.pk)).exists()
    response = client.post(reverse("registry:distinct", args=[a.pk, b.pk]), {"note": "不同人"})
    assert response.status_code == 302
    assert DistinctPair.objects.filter(first=a, second=b, note="不同人").exists()
    assert "registry:pair" not in client.get(reverse("registry:duplicate_list")).content.decode()
    assert Child.objects.count() == 2
