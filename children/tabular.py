"""The roster as a table: the columns shared by the Excel template, the importer and the
exports, and how cells are read and written."""

import datetime as dt
import functools
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .choices import (
    Assessment,
    CaregiverHealth,
    Confirmer,
    DisabilityCategory,
    GuardianshipType,
    Health,
    HukouType,
    IncomeSource,
    ParentStatus,
    Relationship,
    Schooling,
    Sex,
)
from .models import Caregiver, Child, Parent


@dataclass(frozen=True)
class Column:
    key: str  # "name", "father.status", "caregiver.name" …
    label: object  # lazy translated header
    # text, date, int, bool, choice, multi (choices separated by 、 , ;), grade (1 to 4),
    # id (an identity number: a text cell in the template)
    kind: str = "text"
    choices: type | None = None
    required: bool = False
    width: int = 12
    max_chars: int | None = None  # the longest value a cell may hold; see max_chars()


def _about(template, who):
    """A header such as "father: status" that is translated when it is shown, not now."""
    return lazy(lambda: str(template) % {"who": who}, str)()


YES_NO = {
    "是": True,
    "否": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
    "true": True,
    "false": False,
    "√": True,
    "✓": True,
}

# The grandparents of the form's family block, each with a name and a birth date.
GRANDPARENTS = (
    ("paternal_grandfather", _("paternal grandfather")),
    ("paternal_grandmother", _("paternal grandmother")),
    ("maternal_grandfather", _("maternal grandfather")),
    ("maternal_grandmother", _("maternal grandmother")),
)


def _id_column(key: str, label) -> "Column":
    # 18 characters, and room for the spaces some users type between its groups.
    return Column(key, label, "id", width=21, max_chars=24)


COLUMNS = [
    Column("village_code", _("village code"), required=True, width=15, max_chars=12),
    Column("village_group", _("village group")),
    Column("name", _("full name"), required=True),
    Column("sex", _("sex"), "choice", Sex, required=True, width=6),
    Column("ethnicity", _("ethnicity"), width=8),
    Column("birth_date", _("birth date"), "date", required=True),
    _id_column("id_number", _("identity number")),
    Column("hukou_type", _("registration type"), "choice", HukouType, width=8),
    Column("hukou_registered", _("household registration completed"), "bool", width=8),
    Column("hukou_address", _("place of registration"), width=20),
    Column("address", _("current address"), width=24),
    Column("health", _("health"), "choice", Health),
    Column("disability_category", _("disability category"), "choice", DisabilityCategory),
    Column("disability_grade", _("disability grade"), "grade", width=8),
    Column("illness", _("illness")),
    Column("schooling", _("schooling"), "choice", Schooling),
    Column("school", _("school"), width=18),
    Column("grade", _("grade"), width=8),
    Column("boarding", _("boards at school"), "bool", width=8),
    Column("dibao", _("minimum living allowance (dibao)"), "bool", width=8),
    Column("extreme_poverty", _("extreme-poverty support"), "bool", width=8),
    Column("low_income", _("registered-poor or monitored household"), "bool", width=8),
    Column("income_sources", _("household income sources"), "multi", IncomeSource, width=20),
    *[
        column
        for who, who_label in GRANDPARENTS
        for column in (
            Column(f"{who}.name", _about(_("%(who)s: name"), who_label), max_chars=50),
            Column(f"{who}.birth_date", _about(_("%(who)s: birth date"), who_label), "date"),
        )
    ],
    *[
        column
        for role, role_label in (("father", _("father")), ("mother", _("mother")))
        for column in (
            Column(f"{role}.name", _about(_("%(who)s: name"), role_label)),
            Column(f"{role}.birth_date", _about(_("%(who)s: birth date"), role_label), "date"),
            _id_column(f"{role}.id_number", _about(_("%(who)s: identity number"), role_label)),
            Column(
                f"{role}.status",
                _about(_("%(who)s: status"), role_label),
                "choice",
                ParentStatus,
                required=True,
                width=14,
            ),
            Column(f"{role}.status_since", _about(_("%(who)s: since"), role_label), "date"),
            Column(
                f"{role}.disability_category",
                _about(_("%(who)s: disability category"), role_label),
                "choice",
                DisabilityCategory,
            ),
            Column(
                f"{role}.disability_grade",
                _about(_("%(who)s: disability grade"), role_label),
                "grade",
                width=8,
            ),
            Column(f"{role}.work_province", _about(_("%(who)s: work province"), role_label)),
            Column(f"{role}.work_city", _about(_("%(who)s: work city"), role_label)),
            Column(f"{role}.phone", _about(_("%(who)s: phone"), role_label)),
            Column(
                f"{role}.last_return", _about(_("%(who)s: last return home"), role_label), "date"
            ),
        )
    ],
    Column("caregiver.name", _("caregiver: name")),
    Column("caregiver.relationship", _("caregiver: relationship"), "choice", Relationship),
    Column("caregiver.relationship_detail", _("caregiver: relation, in words")),
    Column("caregiver.birth_date", _("caregiver: birth date"), "date"),
    _id_column("caregiver.id_number", _("caregiver: identity number")),
    Column("caregiver.age", _("caregiver: age"), "int", width=8),
    Column("caregiver.health", _("caregiver: health"), "choice", CaregiverHealth),
    Column("caregiver.phone", _("caregiver: phone")),
    Column("caregiver.address", _("caregiver: address"), width=20),
    Column("caregiver.assessment", _("caregiver: guardianship assessment"), "choice", Assessment),
    Column("caregiver.agreement_date", _("entrustment agreement signed"), "date"),
    Column("caregiver.notice_school_date", _("written notice to school"), "date"),
    Column("caregiver.notice_village_date", _("written notice to village"), "date"),
    Column("guardianship_type", _("guardianship type"), "choice", GuardianshipType, width=20),
    Column("reporting_unit", _("reporting unit"), width=20),
    Column("reported_on", _("reporting date"), "date"),
    Column("filled_by", _("filled in by")),
    Column("checked_by", _("checked by")),
    Column("unit_head", _("head of unit")),
    Column("confirmed_by", _("confirmed by (guardian)")),
    Column("confirmed_relationship", _("confirmed by: relation to the child"), "choice", Confirmer),
    Column("confirmed_on", _("confirmed on"), "date"),
]
# Columns whose cells are typed as text in the template (number_format "@"): identity
# numbers (18 digits: a number cell keeps 15), codes and phone numbers (leading zeros).
TEXT_CELL_KINDS = ("id",)
TEXT_CELL_KEYS = ("village_code", "father.phone", "mother.phone", "caregiver.phone")
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


def header_aliases() -> dict[str, str]:
    """Every accepted header text (Chinese or English label, or the key) → column key."""
    aliases = {}
    for column in COLUMNS:
        aliases[column.key.lower()] = column.key
        for language in ("zh-hans", "en"):
            with translation.override(language):
                aliases[str(column.label).strip().lower()] = column.key
    return aliases


# The longest way a typed cell is written: 2016年05月01日, 2016-05-01 00:00:00; a grade or
# an age; 是/否/yes/false.
KIND_MAX_CHARS = {"date": 20, "int": 10, "bool": 8, "grade": 10}


@functools.cache
def max_chars(key: str) -> int:
    """The longest text a cell of this column may hold: the model field's own limit for text
    columns, the longest accepted spelling for choices, a short bound for dates and numbers.
    A longer cell is refused by the importer with its row and column, never stored."""
    column = COLUMN_BY_KEY[key]
    if column.max_chars:
        return column.max_chars
    if column.kind in KIND_MAX_CHARS:
        return KIND_MAX_CHARS[column.kind]
    if column.kind in ("choice", "multi"):
        aliases = choice_aliases(column.choices)
        if column.kind == "choice":
            return max(map(len, aliases))
        # Every value once, each in its longest spelling, with a separator after each.
        return sum(
            max(len(alias) for alias, value in aliases.items() if value == choice) + 1
            for choice in column.choices.values
        )
    owner, _sep, name = key.rpartition(".")
    model = {"": Child, "caregiver": Caregiver}.get(owner, Parent)
    return model._meta.get_field(name).max_length


def choice_aliases(choices) -> dict[str, str]:
    """Accepted cell texts for a choice column: the code and both languages' labels."""
    aliases = {}
    for value, label in choices.choices:
        aliases[value.lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                aliases[str(label).strip().lower()] = value
    return aliases


def cell_text(value) -> str:
    """A cell as text (numbers from Excel such as 341623100201.0 lose the '.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()
