import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core import idnumber


def test_a_valid_number_gives_birth_date_and_sex():
    number = idnumber.make("341623", dt.date(2016, 5, 1), 123)
    parsed = idnumber.parse(number)
    assert parsed.birth_date == dt.date(2016, 5, 1) and parsed.sex == "M"
    assert idnumber.parse(idnumber.make("341623", dt.date(2016, 5, 1), 124)).sex == "F"


def test_known_check_characters():
    # 11010519491231002X is the standard's published example.
    assert idnumber.check_character("11010519491231002") == "X"
    assert idnumber.parse("11010519491231002x").number == "11010519491231002X"


def test_full_width_digits_are_the_same_number():
    number = "11010519491231002X"
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    assert idnumber.normalize(wide) == number
    assert idnumber.parse(wide).number == number


@pytest.mark.parametrize(
    "value,code",
    [
        ("1101051949123100", "length"),
        ("11010519491231002Y", "characters"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "characters"),  # Arabic-Indic digits are not ID digits
        ("110105194902300021", "date"),
        ("110105194912310021", "check"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as excinfo:
        idnumber.parse(value)
    assert excinfo.value.code == code


def test_mask_shows_first_six_and_last_four():
    assert idnumber.mask("11010519491231002X") == "110105********002X"
