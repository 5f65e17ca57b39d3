"""What a village's and a township's file hold, in how many queries."""

from tests.personas import make_child
from villagefiles.data import mask_phone, township_file, village_file

from .conftest import TODAY


def test_village_file_holds_the_active_children_with_current_relief_and_contacts(
    files_world, world
):
    file = village_file(world["a1"], full_phone=True, today=TODAY)
    names = [c.name for c in file.children]
    # Ordered by village group, then name; the closed child and B1's are left out.
    assert names == ["赵小刚", "李小红", "王小明"]
    ming = next(c for c in file.children if c.name == "王小明")
    gang = next(c for c in file.children if c.name == "赵小刚")
    assert ming.special and gang.special
    assert [m.programme for m in ming.measures] == ["孤儿基本生活费"]
    assert ming.measures[0].amount == 600
    assert [c.name for c in ming.contacts] == ["周老师"]
    assert str(ming.last_visit) == "2026-11-02"
    assert ming.age == 10
    assert gang.measures == [] and gang.contacts == []  # ended ones are not current
    assert file.township == "城关镇"
    assert file.home.name == "王庄村儿童之家"
    assert [d.phone for d in file.directors] == ["13900001111"]
    assert [(p.name, p.phone) for p in file.team] == [("王建国", "13700002222"), ("", "")]
    assert (file.special_count, file.with_measures_count, file.with_contacts_count) == (2, 1, 1)


def test_phones_of_caregivers_and_contacts_are_masked_unless_full(files_world, world):
    masked = village_file(world["a1"], full_phone=False, today=TODAY)
    full = village_file(world["a1"], full_phone=True, today=TODAY)
    hong = [c for c in masked.children if c.name == "李小红"][0]
    assert hong.caregiver_phone == "138****5678"
    assert [c for c in full.children if c.name == "李小红"][0].caregiver_phone == "13812345678"
    ming = [c for c in masked.children if c.name == "王小明"][0]
    assert ming.contacts[0].phone == "136****6666"
    # The director and the team hold public posts: their numbers are shown as posted.
    assert masked.directors[0].phone == "13900001111"


def test_the_file_carries_the_masked_identity_number_only(world):
    make_child(world["a1"], "孙小雨", id_number="341623201605010015")
    row = village_file(world["a1"], full_phone=True).children[0]
    assert row.id_masked and row.id_masked != "341623201605010015"
    assert "341623201605010015" not in repr(row)


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0558-8812345") == "055*****2345"
    assert mask_phone("12345") == "*****"
    assert mask_phone("") == ""


def test_township_file_gathers_its_villages_in_code_order(files_world, world):
    file = township_file(world["a"], full_phone=False, today=TODAY)
    assert [v.area.name for v in file.villages] == ["王庄村", "李楼村"]
    assert file.villages[1].children == [] and file.villages[1].home is None
    assert file.children_count == 3
    assert sorted(file.child_ids) == sorted(c.pk for c in file.villages[0].children)


def test_a_file_costs_the_same_queries_whatever_the_number_of_children(
    files_world, world, django_assert_num_queries
):
    for i in range(15):
        make_child(world["a2"], f"新{i}", caregiver=bool(i % 2))
    world["a1"].parent  # noqa: B018 (loaded, as the views do with select_related)
    with django_assert_num_queries(6):
        village_file(world["a1"], full_phone=False, today=TODAY)
    with django_assert_num_queries(7):
        township_file(world["a"], full_phone=False, today=TODAY)
