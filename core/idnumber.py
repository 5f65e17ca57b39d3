"""Resident identity numbers (公民身份号码, GB 11643-1999): validation, parsing and masking.

18 characters: 6-digit address code, birth date YYYYMMDD, 3-digit sequence (odd = male,
even = female) and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
MALE, FEMALE = "M", "F"
NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
OLD_FORMAT = _(
    "This is an old 15-digit identity number (first generation, replaced in 1999). Give the "
    "18-digit number: it is in the household register (户口簿) or on a new identity card, "
    "and the local police station (派出所) can tell it."
)


@dataclass(frozen=True)
class IdNumber:
    """A valid identity number and what it says."""

    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def masked(self) -> str:
        return mask(self.number)


def normalize(value: str) -> str:
    """Half-width, upper-case, without spaces: how numbers are stored, compared and hashed.

    Chinese input methods often type full-width digits (３４１６…); NFKC turns them into
    ASCII so that one number always has one form (and one hash).
    """
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


def check_character(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse(value: str) -> IdNumber:
    """Validate an 18-character identity number; raise ValidationError with a clear message."""
    number = normalize(value)
    if len(number) == 15 and number.isdigit():
        # First-generation numbers (GB 11643-1989, two-digit year, no check character) were
        # replaced in 1999; every child has an 18-digit number, so say where to find it.
        raise ValidationError(OLD_FORMAT, code="old_format")
    if len(number) != 18:
        raise ValidationError(
            _("An identity number has 18 characters; this one has %(n)s."),
            code="length",
            params={"n": len(number)},
        )
    if not NUMBER_SHAPE.fullmatch(number):
        raise ValidationError(
            _("An identity number is 17 digits followed by a digit or X."), code="characters"
        )
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the identity number (%(date)s) does not exist."),
            code="date",
            params={"date": number[6:14]},
        ) from None
    if birth_date.year < 1900 or birth_date > dt.date.today():
        raise ValidationError(
            _("The birth date in the identity number (%(date)s) is not possible."),
            code="date",
            params={"date": birth_date.isoformat()},
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _(
                "The check character is wrong (the last character should be %(expected)s): "
                "the number was probably mistyped."
            ),
            code="check",
            params={"expected": expected},
        )
    sex = MALE if int(number[16]) % 2 else FEMALE
    return IdNumber(number=number, birth_date=birth_date, sex=sex)


def cross_check(id_number: IdNumber, birth_date: dt.date | None, sex: str | None) -> dict:
    """Field errors where the recorded birth date or sex disagree with the identity number."""
    errors = {}
    if birth_date and birth_date != id_number.birth_date:
        errors["birth_date"] = ValidationError(
            _("The identity number gives the birth date %(date)s."),
            code="birth_date_mismatch",
            params={"date": id_number.birth_date.isoformat()},
        )
    if sex and sex != id_number.sex:
        errors["sex"] = ValidationError(
            _("The identity number belongs to a %(sex)s."),
            code="sex_mismatch",
            params={"sex": _("boy") if id_number.sex == MALE else _("girl")},
        )
    return errors


def mask(number: str) -> str:
    """First 6 and last 4 characters shown: 341623********123X."""
    number = normalize(number)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(region: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests): region code, birth date, sequence."""
    if not 0 <= sequence <= 999:
        raise ValueError(f"the sequence code has 3 digits (0-999), not {sequence}")
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
