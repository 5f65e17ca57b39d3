import pytest
from django.core.exceptions import ValidationError

from areas.codes import level_of, prefix_of, township_kind, validate_area_code, village_kind
from areas.models import Area


@pytest.mark.parametrize(
    "code,level",
    [
        ("340000000000", "province"),
        ("341600000000", "city"),
        ("341623000000", "county"),
        ("341623100000", "township"),
        ("341623100201", "village"),
        ("341623100001", "village"),
    ],
)
def test_level_of_reads_the_code(code, level):
    assert level_of(code) == level


def test_prefix_is_the_significant_part():
    assert prefix_of("341623100201", "village") == "341623100201"
    assert prefix_of("341623100000", "township") == "341623100"
    assert prefix_of("341623000000", "county") == "341623"


def test_kinds_follow_the_statistical_rules():
    assert village_kind("341623100001") == "community"
    assert village_kind("341623100201") == "village"
    assert township_kind("341623100000") == "town"
    assert township_kind("341623203000") == "township"
    assert township_kind("341623401000") == "other"


def test_valid_village_under_its_township():
    validate_area_code("341623100201", "village", "341623100000")


@pytest.mark.parametrize(
    "code,level,parent,field",
    [
        ("34162310020", "village", "341623100000", "code"),  # 11 digits
        ("34162310020X", "village", "341623100000", "code"),  # not digits
        ("341623101201", "village", "341623100000", "code"),  # under another township
        ("341623100201", "village", "341623000000", "parent"),  # skips the township level
        ("341623100000", "village", "341623100000", "code"),  # a township code as a village
        ("341623100201", "village", None, "parent"),  # no parent
        ("340000000000", "province", "340000000000", "parent"),
    ],
)
def test_invalid_codes_are_refused_with_a_field_error(code, level, parent, field):
    with pytest.raises(ValidationError) as excinfo:
        validate_area_code(code, level, parent)
    assert field in excinfo.value.message_dict


def test_model_clean_checks_nesting(world):
    bad = Area(code="341623101209", name="错村", level="village", parent=world["a"])
    with pytest.raises(ValidationError) as excinfo:
        bad.full_clean()
    assert "code" in excinfo.value.message_dict


def test_ancestor_codes(world):
    assert world["a1"].ancestor_codes() == [
        "340000000000",
        "341600000000",
        "341623000000",
        "341623100000",
    ]
