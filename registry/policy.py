"""Who keeps the register in order, and the rules of a likely duplicate.

Likely duplicates and merges are the county officer's: the county keeps the register
(登记), a pair may straddle two townships (a township would see half of it), and a merge
moves the records of both. Township officers report a doubt to the county. Handovers to
another county are accepted or declined by the receiving county's officer.
"""

from django.utils.translation import gettext_lazy as _

from areas.codes import COUNTY, PREFIX_LENGTH
from people.roles import Role

# Why two records are likely the same child, strongest first.
SAME_ID = "id_number"
SAME_NAME = "name_birth"
SAME_PINYIN = "pinyin_birth_village"
RULES = {
    SAME_ID: _("same identity number"),
    SAME_NAME: _("same name and birth date"),
    SAME_PINYIN: _("same pinyin, birth date and village"),
}

COUNTY_DIGITS = PREFIX_LENGTH[COUNTY]


def keeps_register(user) -> bool:
    """A county officer: sees their county's likely duplicates, merges, accepts handovers."""
    prefix = getattr(user, "jurisdiction_prefix", None) if user.is_authenticated else None
    return (
        getattr(user, "role", None) == Role.COUNTY_OFFICER
        and prefix is not None
        and len(prefix) == COUNTY_DIGITS
        and bool(getattr(user, "can_write", False))
    )


def county_of(code: str) -> str:
    """The county prefix (six digits) of an area code."""
    return code[:COUNTY_DIGITS]


def ordered(a_pk: int, b_pk: int) -> tuple[int, int]:
    """A pair in one order (the lower id first), so that it is stored and found once."""
    return (a_pk, b_pk) if a_pk < b_pk else (b_pk, a_pk)
