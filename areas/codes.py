"""Rules of the 12-digit statistical division code (统计用区划代码).

province PP0000000000, city PPCC00000000, county PPCCDD000000, township PPCCDDTTT000,
village PPCCDDTTTVVV. The code is a path: a unit's code starts with its parent's prefix.
The nation is 000000000000, with the empty prefix: an account bound to it (a national
leader) sees every province. Provinces stay roots of the tree (no parent), so loading the
division lists does not need the nation.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The levels of the administrative tree, from the root down."""

    NATION = "nation", _("nation")
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


NATION, PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = Level.values
LEVELS = Level.values
NATION_CODE = "0" * 12
# Significant digits of each level's code; the rest are zeros.
PREFIX_LENGTH = {NATION: 0, PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
PARENT_LEVEL = {CITY: PROVINCE, COUNTY: CITY, TOWNSHIP: COUNTY, VILLAGE: TOWNSHIP}
CHILD_LEVEL = {parent: child for child, parent in PARENT_LEVEL.items()}
CHILD_LEVEL[NATION] = PROVINCE


def prefix_of(code: str, level: str) -> str:
    """The significant leading digits of a code at its level (the jurisdiction prefix)."""
    return code[: PREFIX_LENGTH[level]]


def pad(code: str) -> str:
    """A 2-, 4-, 6- or 9-digit code padded with zeros to the 12-digit statistical code."""
    return code.ljust(12, "0")


def level_of(code: str) -> str:
    """The level a well-formed 12-digit code denotes."""
    if code == NATION_CODE:
        return NATION
    if code[9:] != "000":
        return VILLAGE
    if code[6:9] != "000":
        return TOWNSHIP
    if code[4:6] != "00":
        return COUNTY
    if code[2:4] != "00":
        return CITY
    return PROVINCE


def _kind_in(number: int, bands) -> str:
    """The kind of the first band (upper bound, kind) the number falls below; "other" past
    the last."""
    return next((kind for below, kind in bands if number < below), "other")


def township_kind(code: str) -> str:
    """Street 001–099, town 100–199, township 200–399, other township-like unit 400–599."""
    return _kind_in(int(code[6:9]), [(100, "street"), (200, "town"), (400, "township")])


def village_kind(code: str) -> str:
    """Community (residents' committee) 001–199, village committee 200–399, other 400–599."""
    return _kind_in(int(code[9:12]), [(200, "community"), (400, "village")])


def validate_area_code(code: str, level: str, parent_code: str | None = None) -> None:
    """Check that a code is 12 digits, has the form of its level and sits under its parent.

    Raises ValidationError with field-level messages.
    """
    if not (isinstance(code, str) and len(code) == 12 and code.isdigit()):
        raise ValidationError({"code": _("An area code has exactly 12 digits.")})
    if level not in PREFIX_LENGTH:
        raise ValidationError({"level": _("Unknown level.")})
    if level == NATION:
        if code != NATION_CODE or parent_code:
            raise ValidationError({"code": _("The nation's code is 000000000000, with no parent.")})
        return
    if level_of(code) != level:
        raise ValidationError(
            {
                "code": _("Code %(code)s does not have the form of a %(level)s code.")
                % {"code": code, "level": Level(level).label}
            }
        )
    if level == PROVINCE:
        if parent_code:
            raise ValidationError({"parent": _("A province has no parent.")})
        return
    if not parent_code:
        raise ValidationError({"parent": _("This level needs a parent area.")})
    parent_level = level_of(parent_code)
    if parent_level != PARENT_LEVEL[level]:
        raise ValidationError(
            {
                "parent": _("A %(level)s must sit directly under a %(parent)s.")
                % {"level": Level(level).label, "parent": Level(PARENT_LEVEL[level]).label}
            }
        )
    if not code.startswith(prefix_of(parent_code, parent_level)):
        raise ValidationError(
            {
                "code": _("Code %(code)s does not start with its parent's code %(prefix)s.")
                % {"code": code, "prefix": prefix_of(parent_code, parent_level)}
            }
        )
