"""Importing a village or township roster from Excel (.xlsx from Excel, WPS or LibreOffice).

All or nothing: every row is checked first; if any row fails, nothing is saved and the
report says, row by row, what is wrong. A file that passes is saved in one transaction.
Both steps (check, save) run as background jobs (children/tasks.py: import_step) that write
their progress to the ImportJob; the page polls it.
"""

import datetime as dt
import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from areas.models import Area
from core import crypto, idnumber
from core.audit import log_action
from core.bulk import PreparedRows
from core.exceptions import Invalid, NotNow
from core.history import change_entry
from core.uploads import UploadRefused, XlsxLimits, check_xlsx

from . import rules
from .choices import RELATIONSHIP_SEX, Assessment, CaregiverHealth, HukouType, ParentRole
from .models import (
    BAD_DISABILITY_GRADE,
    DISABILITY_GRADES,
    RUNNING_IMPORT_STATES,
    Caregiver,
    Child,
    ChildChange,
    ImportJob,
    Parent,
)
from .names import pinyin_of
from .services import classify_child, snapshot
from .signals import children_saved_in_bulk
from .tabular import (
    COLUMN_BY_KEY,
    COLUMNS,
    GRANDPARENTS,
    TEXT_CELL_KEYS,
    TEXT_CELL_KINDS,
    YES_NO,
    cell_text,
    choice_aliases,
    header_aliases,
    max_chars,
)

logger = logging.getLogger(__name__)
# The form's header, sign-off and confirmation, read as they are (checked by rules.signoff_errors).
SIGNOFF_COLUMNS = (
    "guardianship_type",
    "reporting_unit",
    "reported_on",
    "filled_by",
    "checked_by",
    "unit_head",
    "confirmed_by",
    "confirmed_relationship",
    "confirmed_on",
)
INTERRUPTED = gettext_lazy(
    "The import was interrupted (the server restarted). Nothing was saved; upload the file again."
)
UNEXPECTED = gettext_lazy(
    "The file could not be processed. Nothing was saved. Check that it is the "
    "template's layout, or contact the county office."
)
# Columns read from each row: the template's (about 80) and room for a user's own notes; cells to
# the right are never read (openpyxl would otherwise pad every row to the widest one).
MAX_COLUMNS = 200
QUOTE_CHARS = 30  # what a message quotes of a cell: never the whole cell
MESSAGE_CHARS = 300  # the longest message one error keeps
# Error messages held in memory while a file is checked; the report shows the first
# settings.IMPORT_REPORT_ERRORS and counts the rest.
ERRORS_KEPT = 10_000
DATE_FIELDS = {
    "birth_date",
    "status_since",
    "last_return",
    "agreement_date",
    "notice_school_date",
    "notice_village_date",
}
PROGRESS_EVERY = 500
# What the 2016 form writes in the fields of a grandparent or parent who has died (its
# footnote: "—"): read as an empty cell, not as a name or a bad date.
DEAD_MARKS = {"—", "——", "-", "－", "--", "/"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class FileProblem(Invalid):
    """The file as a whole cannot be read (not xlsx, no header, missing columns)."""


class ImportBusy(NotNow):
    """The user already has an import running (one at a time, held by the database); the
    upload form shows it next to the file."""

    def __init__(self, message):
        super().__init__(message, field="file")


def quote(text: str) -> str:
    """A cell's text as a message may quote it: the first QUOTE_CHARS characters."""
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


@dataclass
class Row:
    number: int  # the row number in the sheet, as the user sees it
    child: dict = field(default_factory=dict)
    parents: dict = field(default_factory=dict)
    caregiver: dict | None = None
    id_number: str = ""
    errors: list = field(default_factory=list)  # [(column label, message)]
    hidden_errors: int = 0  # errors counted but not kept (past ERRORS_KEPT in the file)

    def error(self, key: str, message) -> None:
        column = COLUMN_BY_KEY.get(key)
        self.errors.append((str(column.label) if column else key, str(message)[:MESSAGE_CHARS]))

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.hidden_errors


def read_sheet(content: bytes) -> tuple[dict[int, str], list[tuple[int, list]]]:
    """The header (column index → key) and the data rows of the first sheet.

    The file is measured first (core.uploads.check_xlsx: sizes, compression, rows, texts)
    and only then read, streaming, row by row; rows and columns past the limits are never
    read.
    """
    limits = XlsxLimits.from_settings()
    try:
        check_xlsx(io.BytesIO(content), limits)
    except UploadRefused as refused:
        raise FileProblem(refused.message) from refused
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or unusual workbook
        raise FileProblem(_("The file could not be read as an Excel workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The declared size may be wrong or hostile (A1:XFD1048576): read what is there.
        sheet.reset_dimensions()
        return _read_rows(sheet, limits)
    finally:
        workbook.close()


def _read_rows(sheet, limits: XlsxLimits):
    """The header row and the non-empty rows. Each row keeps only the cells of the template's
    columns (at most one per column, the rightmost if a header is repeated), so a file's
    memory is bounded by rows × columns, whatever else the sheet holds."""
    aliases = header_aliases()
    header, columns, rows = None, [], []
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
        if number > limits.max_sheet_rows:
            raise FileProblem(
                _("The sheet has more than %(n)s rows; split it.")
                % {"n": f"{limits.max_sheet_rows:,}"}
            )
        if header is None:
            found = {
                i: aliases[cell_text(c).lower()]
                for i, c in enumerate(cells)
                if cell_text(c).lower() in aliases
            }
            if len(found) >= 3:  # the header row (a title row above it is allowed)
                where = {key: i for i, key in sorted(found.items())}  # the rightmost wins
                columns = sorted(where.values())
                header = {n: found[i] for n, i in enumerate(columns)}
            elif number > 10:
                break
            continue
        cells = [cells[i] if i < len(cells) else None for i in columns]
        if not any(cell_text(c) for c in cells):
            continue
        rows.append((number, list(cells)))
        if len(rows) > limits.max_rows:
            raise FileProblem(
                _("The file has more than %(n)s rows; split it.") % {"n": f"{limits.max_rows:,}"}
            )
    if header is None:
        raise FileProblem(_("No header row was found. Use the template's first row."))
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in header.values()]
    if missing:
        raise FileProblem(_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
    return header, rows


def _parse_date(value):
    """A date cell: a spreadsheet date, or text as 2016-05-01, 2016/5/1, 2016.5.1, 20160501
    or 2016年5月1日, in half- or full-width characters (２０１５－０３－０８: NFKC makes them
    ASCII)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "".join(unicodedata.normalize("NFKC", cell_text(value)).split())
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


CHINESE_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_grade(text: str) -> int:
    """A disability grade as the certificate writes it: 2, 二级, 2级, ２ … (ValueError if it
    is not 1 to 4)."""
    text = unicodedata.normalize("NFKC", text).strip().removesuffix("级").strip()
    grade = CHINESE_GRADES.get(text)
    if grade is None:
        grade = int(float(text))  # a number cell reads as 2.0
    if grade not in DISABILITY_GRADES:
        raise ValueError(text)
    return grade


class RowChecker:
    """Checks rows against the registry's rules, with the lookups done once per file."""

    def __init__(self, actor):
        self.actor = actor
        self.today = timezone.localdate()
        self.villages = {a.code: a for a in Area.objects.visible_to(actor).villages()}
        self.choices = {c.key: choice_aliases(c.choices) for c in COLUMNS if c.choices}
        self.seen_ids: dict[str, int] = {}
        self.seen_people: dict[tuple, tuple] = {}  # person → (first row, id hash)
        self.taken_hashes: dict[str, ValidationError] = {}  # id hash → the duplicate error
        self.existing_people = set()

    def prefetch(self, header, rows):
        """Identity numbers and (village, name, birth date) already in the database."""
        id_col = next((i for i, k in header.items() if k == "id_number"), None)
        hashes = []
        if id_col is not None:
            for _number, cells in rows:
                value = idnumber.normalize(cell_text(cells[id_col]) if id_col < len(cells) else "")
                if len(value) == 18:
                    hashes.append(crypto.lookup_hash(value))
        for start in range(0, len(hashes), 900):
            batch = hashes[start : start + 900]
            visible = set(
                Child.objects.visible_to(self.actor)
                .filter(id_hash__in=batch)
                .values_list("id_hash", flat=True)
            )
            for id_hash, name, village in Child.objects.filter(id_hash__in=batch).values_list(
                "id_hash", "name", "area__name"
            ):
                # The same message as the form's and the service's (rules.duplicate_error).
                self.taken_hashes[id_hash] = rules.duplicate_error(
                    name, village, id_hash in visible
                )
        # (village, name, birth date) → the identity-number hashes registered under it
        # (None for a child registered without a number).
        self.existing_people = {}
        for code, name, born, id_hash in Child.objects.filter(
            area__in=self.villages.values()
        ).values_list("area__code", "name", "birth_date", "id_hash"):
            self.existing_people.setdefault((code, name, born), set()).add(id_hash)

    def value(self, row: Row, key: str, raw):
        """A cell converted to its column's type; conversion problems become row errors."""
        column = COLUMN_BY_KEY[key]
        text = cell_text(raw)
        if text in DEAD_MARKS:  # the form's footnote: a dead grandparent's or parent's "—"
            text = ""
        if not text:
            if column.required:
                row.error(key, rules.REQUIRED)
            return None
        limit = max_chars(key)
        if len(text) > limit:  # refused before anything copies or converts it
            row.error(
                key,
                _("Row %(row)s, “%(column)s”: longer than %(limit)s characters (%(length)s).")
                % {
                    "row": row.number,
                    "column": column.label,
                    "limit": limit,
                    "length": f"{len(text):,}",
                },
            )
            return None
        try:
            if column.kind == "date":
                return _parse_date(raw)
            if column.kind == "int":
                return int(float(text))
            if column.kind == "grade":
                return parse_grade(text)
            if column.kind == "bool":
                return YES_NO[text.lower()]
            if column.kind == "choice":
                return self.choices[key][text.lower()]
            if column.kind == "multi":
                parts = [p.strip().lower() for p in re.split(r"[、,，;；/]", text) if p.strip()]
                return [self.choices[key][p] for p in parts]
        except (ValueError, KeyError, OverflowError):
            if column.kind == "date":
                row.error(
                    key, _("“%(text)s” is not a date (write 2016-05-01).") % {"text": quote(text)}
                )
            elif column.kind == "grade":
                row.error(
                    key,
                    _("“%(text)s”: %(rule)s") % {"text": quote(text), "rule": BAD_DISABILITY_GRADE},
                )
            elif column.kind in ("choice", "multi"):
                allowed = "、".join(str(label) for _v, label in column.choices.choices)
                row.error(
                    key,
                    _("“%(text)s” is not one of: %(allowed)s.")
                    % {"text": quote(text), "allowed": allowed},
                )
            else:
                row.error(key, _("“%(text)s” is not valid here.") % {"text": quote(text)})
            return None
        return text

    @staticmethod
    def lost_digits(row: Row, key: str, header: dict, cells: list, number_text: str) -> bool:
        """An identity number typed into a number cell: spreadsheets keep 15 significant
        digits, so an 18-digit number has already lost its last ones (a row error)."""
        col = next((i for i, k in header.items() if k == key), None)
        raw = cells[col] if col is not None and col < len(cells) else None
        if isinstance(raw, int | float) and len(number_text) > 15:
            row.error(
                key,
                _(
                    "The identity number was stored as a number and lost "
                    "digits. Format the column as Text and type it again."
                ),
            )
            return True
        return False

    def family_id(self, row, prefix, header, cells, values, member: dict, sex) -> None:
        """A parent's or the caregiver's identity number, checked as the forms check it;
        an empty birth date is taken from it. Stored in member["id_number"]."""
        key = f"{prefix}.id_number"
        number_text = idnumber.normalize(values.get(key) or "")
        member["id_number"] = ""
        if not number_text or self.lost_digits(row, key, header, cells, number_text):
            return
        parsed, errors = rules.family_id_errors(number_text, member.get("birth_date"), sex)
        for name, error in errors.items():
            row.error(f"{prefix}.{name}", error.messages[0])
        if parsed is not None:
            member["id_number"] = parsed.number
            member["birth_date"] = member.get("birth_date") or parsed.birth_date

    def check(self, number: int, header: dict, cells: list) -> Row:
        row = Row(number)
        values = {
            key: self.value(row, key, cells[i] if i < len(cells) else None)
            for i, key in header.items()
        }
        for column in COLUMNS:  # required columns that are present but empty were handled
            values.setdefault(column.key, None)

        village = self.villages.get(values["village_code"] or "")
        if values["village_code"] and village is None:
            row.error(
                "village_code",
                _("Unknown village code %(code)s: not a village of your jurisdiction.")
                % {"code": quote(values["village_code"])},
            )
        birth_date, sex, name = values["birth_date"], values["sex"], values["name"]
        if birth_date:
            error = rules.birth_date_errors(birth_date, self.today)
            if error:
                row.error("birth_date", error.messages[0])
        number_text = idnumber.normalize(values["id_number"] or "")
        if self.lost_digits(row, "id_number", header, cells, number_text):
            pass
        elif number_text:
            parsed, id_errors = rules.id_number_errors(number_text, birth_date, sex)
            for key, error in id_errors.items():
                row.error(key, error.messages[0])
            if parsed is not None:
                first = self.seen_ids.setdefault(parsed.number, number)
                taken = self.taken_hashes.get(crypto.lookup_hash(parsed.number))
                if first != number:
                    row.error(
                        "id_number",
                        _("The same identity number is on row %(row)s.") % {"row": first},
                    )
                elif taken is not None:
                    row.error("id_number", taken.messages[0])
                row.id_number = parsed.number
        if village and name and birth_date:
            # Same name, birth date and village is the same child unless both records carry
            # different identity numbers (two children can share a common name and birthday).
            person = (village.code, name, birth_date)
            own = crypto.lookup_hash(row.id_number) if row.id_number else None
            first = self.seen_people.get(person)
            if first is not None and (own is None or first[1] is None or first[1] == own):
                row.error(
                    "name",
                    _("The same child (name, birth date, village) is on row %(row)s.")
                    % {"row": first[0]},
                )
            else:
                self.seen_people.setdefault(person, (number, own))
                registered = self.existing_people.get(person, set())
                if registered and (own is None or None in registered):
                    row.error(
                        "name",
                        _("This child (name, birth date, village) is already registered."),
                    )
        for key, error in rules.health_errors(
            values["health"] or "healthy",
            values["disability_category"] or "",
            values["illness"] or "",
        ).items():
            row.error(key, error.messages[0])
        for key, error in rules.unsaved_values_errors(
            "child", {**values, "health": values["health"] or "healthy"}
        ).items():
            row.error(key, error.messages[0])

        for role in ParentRole.values:
            parent = {
                name: values[f"{role}.{name}"]
                for name in Parent.RECORDED_FIELDS
                if f"{role}.{name}" in COLUMN_BY_KEY
            }
            if parent["status"]:  # a missing status was already reported as required
                errors = {
                    **rules.unsaved_values_errors("parent", parent),
                    **rules.parent_errors(
                        parent["status"],
                        parent["work_province"] or "",
                        parent["disability_category"] or "",
                        parent["disability_grade"],
                    ),
                }
                for key, error in errors.items():
                    row.error(f"{role}.{key}", error.messages[0])
            for date_key in ("birth_date", "status_since", "last_return"):
                error = rules.date_not_in_future(parent[date_key], self.today)
                if error:
                    row.error(f"{role}.{date_key}", error.messages[0])
            self.family_id(
                row, role, header, cells, values, parent, "M" if role == "father" else "F"
            )
            if parent["status"] != "migrant":
                parent["work_province"] = parent["work_city"] = None
            if parent["status"] != "disabled":
                parent["disability_category"] = parent["disability_grade"] = None
            row.parents[role] = {
                k: v or (None if k in DATE_FIELDS or k == "disability_grade" else "")
                for k, v in parent.items()
            }

        care = {name: values[f"caregiver.{name}"] for name in Caregiver.RECORDED_FIELDS}
        for date_key in ("agreement_date", "notice_school_date", "notice_village_date"):
            error = rules.date_not_in_future(care[date_key], self.today)
            if error:
                row.error(f"caregiver.{date_key}", error.messages[0])
        if any(v not in (None, "") for v in care.values()) or values["caregiver.id_number"]:
            self.family_id(
                row,
                "caregiver",
                header,
                cells,
                values,
                care,
                RELATIONSHIP_SEX.get(care["relationship"]),
            )
            errors = {
                **rules.caregiver_errors(care["name"], care["relationship"], care["assessment"]),
                **rules.caregiver_birth_errors(care["birth_date"], self.today),
            }
            for key, error in errors.items():
                row.error(f"caregiver.{key}", error.messages[0])
            care["health"] = care["health"] or CaregiverHealth.HEALTHY
            care["assessment"] = care["assessment"] or Assessment.FAIR
            row.caregiver = {
                k: (v if v is not None or k in DATE_FIELDS else "") for k, v in care.items()
            }
            row.caregiver["age"] = care["age"]

        row.child = {
            "area": village,
            "village_group": values["village_group"] or "",
            "name": name or "",
            "sex": sex or "",
            "ethnicity": values["ethnicity"] or "汉族",
            "birth_date": birth_date,
            "hukou_type": values["hukou_type"] or HukouType.RURAL,
            "hukou_registered": True
            if values["hukou_registered"] is None
            else values["hukou_registered"],
            "address": values["address"] or "",
            "hukou_address": values["hukou_address"] or "",
            "income_sources": values["income_sources"] or [],
            "health": values["health"] or "healthy",
            "disability_category": values["disability_category"] or "",
            "disability_grade": values["disability_grade"],
            "illness": values["illness"] or "",
            "schooling": values["schooling"] or "",
            "school": values["school"] or "",
            "grade": values["grade"] or "",
            "boarding": bool(values["boarding"]),
            "dibao": bool(values["dibao"]),
            "extreme_poverty": bool(values["extreme_poverty"]),
            "low_income": bool(values["low_income"]),
            "grandparents": self.grandparents(row, values),
            **{
                name: values[name]
                if name in ("reported_on", "confirmed_on")
                else (values[name] or "")
                for name in SIGNOFF_COLUMNS
            },
        }
        for key, error in rules.signoff_errors(row.child, self.today).items():
            row.error(key, error.messages[0])
        self.model_errors(row)
        return row

    def grandparents(self, row: Row, values: dict) -> dict:
        """The four grandparents' names and birth dates, as the page's form keeps them."""
        data = {}
        for who, _label in GRANDPARENTS:
            name, born = values[f"{who}.name"] or "", values[f"{who}.birth_date"]
            error = rules.date_not_in_future(born, self.today)
            if error:
                row.error(f"{who}.birth_date", error.messages[0])
            if name or born:
                data[who] = {"name": name, "birth_date": born.isoformat() if born else ""}
        return data

    def model_errors(self, row: Row) -> None:
        """The models' own limits (lengths, ranges, choices), as the forms apply them."""
        parts = [(Child, row.child, ""), (Caregiver, row.caregiver or {}, "caregiver.")]
        parts += [(Parent, data, f"{role}.") for role, data in row.parents.items()]
        for model, data, prefix in parts:
            for name, value in data.items():
                if name in ("area", "id_number", "grandparents") or value in (None, ""):
                    continue
                try:
                    model._meta.get_field(name).clean(value, None)
                except ValidationError as error:
                    row.error(f"{prefix}{name}", error.messages[0])


def check_file(actor, content: bytes, progress=None) -> tuple[list[Row], dict]:
    """Read and check every row. Returns the rows and the report (errors, counts).

    The report lists the first settings.IMPORT_REPORT_ERRORS errors and counts the rest;
    past ERRORS_KEPT, rows keep only the count of their errors (a file wrong in every cell
    must not hold a million messages in memory).
    """
    header, raw_rows = read_sheet(content)
    checker = RowChecker(actor)
    checker.prefetch(header, raw_rows)
    checked, kept = [], 0
    for index, (number, cells) in enumerate(raw_rows, start=1):
        row = checker.check(number, header, cells)
        if kept + len(row.errors) > ERRORS_KEPT:
            row.hidden_errors, row.errors = len(row.errors), []
        kept += len(row.errors)
        checked.append(row)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(raw_rows))
    shown = settings.IMPORT_REPORT_ERRORS
    errors = [
        {"row": r.number, "column": column, "message": message}
        for r in checked
        for column, message in r.errors
    ][:shown]
    report = {
        "rows": len(checked),
        "rows_with_errors": sum(1 for r in checked if r.error_count),
        "errors": errors,
        "more_errors": sum(r.error_count for r in checked) - len(errors),
    }
    if not report["rows_with_errors"]:
        report["preview"] = preview(checked)
    return checked, report


PREVIEW_ROWS = 20


def build(row: Row, today: dt.date):
    """The unsaved child, parents and caregiver of a checked row, classified."""
    child = Child(**row.child)
    child.name_pinyin, child.name_initials = pinyin_of(child.name)
    child.set_id_number(row.id_number or None)
    parents = {}
    for role, data in row.parents.items():
        data = dict(data)
        number = data.pop("id_number", "")
        parents[role] = Parent(role=role, **data)
        parents[role].set_id_number(number or None)
    caregiver = None
    if row.caregiver:
        data = dict(row.caregiver)
        number = data.pop("id_number", "")
        caregiver = Caregiver(**data)
        caregiver.set_id_number(number or None)
        caregiver.clean()  # the age from the birth date
    classify_child(child, parents, caregiver, today)
    return child, parents, caregiver


def preview(rows: list[Row]) -> dict:
    """What saving would register: counts by category and the first rows, classified."""
    today = timezone.localdate()
    counts = {"left_behind": 0, "in_difficulty": 0, "special": 0, "no_id": 0}
    first = []
    for row in rows:
        child, _parents, _caregiver = build(row, today)
        counts["left_behind"] += child.is_left_behind
        counts["in_difficulty"] += child.in_difficulty
        counts["special"] += child.care_level == "special"
        counts["no_id"] += not row.id_number
        if len(first) < PREVIEW_ROWS:
            first.append(
                {
                    "row": row.number,
                    "name": child.name,
                    "village": child.area.name,
                    "birth_date": child.birth_date.isoformat(),
                    "categories": [str(c) for c in child.category_labels],
                    "care_level": str(child.get_care_level_display()),
                }
            )
    return {"counts": counts, "rows": first}


def gather_family(child, parents: dict, caregiver, parent_rows: list, caregiver_rows: list):
    """Point a child's family, built before the child was inserted, at it; gather them for
    their own bulk inserts."""
    for parent in parents.values():
        parent.child = child
        parent_rows.append(parent)
    if caregiver is not None:
        caregiver.child = child
        caregiver_rows.append(caregiver)


def save_rows(
    actor, rows: list[Row], job: ImportJob | None = None, *, claim=None, on_saved=None
) -> list[int] | None:
    """Register every checked row in one transaction. Returns the new children's ids.

    `claim()` runs first inside the transaction; if it returns False nothing is saved and
    the answer is None (another run already saved the job). `on_saved(ids)` runs inside
    the same transaction, after the rows: the job's move to SAVED commits with them or not
    at all (a worker killed here leaves nothing saved and the job SAVING, to be run again
    once)."""
    today = timezone.localdate()
    children, parents_to_save, caregivers, changes = [], [], [], []
    for row in rows:
        child, parents, caregiver = build(row, today)
        children.append(child)
        gather_family(child, parents, caregiver, parents_to_save, caregivers)
        recorded = {k: [None, v] for k, v in snapshot(child, parents, caregiver).items()}
        changes.append(
            change_entry(
                ChildChange,
                actor,
                recorded,
                kind=ChildChange.Kind.IMPORTED,
                note=job.filename if job else "",
                child=child,
            )
        )
    # Every value made ready (encrypted, serialised) before the transaction: on SQLite it
    # holds the whole database, and other users' writes wait while it lasts.
    child_rows = PreparedRows(Child, children)
    family_rows = [
        PreparedRows(Parent, parents_to_save),
        PreparedRows(Caregiver, caregivers),
        PreparedRows(ChildChange, changes),
    ]
    with transaction.atomic():
        if claim is not None and not claim():
            return None
        child_rows.insert()
        if settings.IMPORT_SAVE_PAUSE_SECONDS:  # tests only: a worker killed mid-save
            time.sleep(settings.IMPORT_SAVE_PAUSE_SECONDS)
        for prepared in family_rows:
            prepared.link("child")
            prepared.insert()
        ids = [c.pk for c in children]
        children_saved_in_bulk.send(sender=Child, area_ids={c.area_id for c in children})
        log_action(
            actor,
            "children.child.imported",
            job,
            {
                "filename": job.filename if job else "",
                "count": len(ids),
                "ids": ids,
            },
        )
        if on_saved is not None:
            on_saved(ids)
    return ids


TEMPLATE_ROWS = 1000  # the rows prepared with text cells and drop-down lists
# A list longer than this goes to the hidden sheet: an inline list is limited to 255
# characters (fewer in some WPS versions, which count Chinese characters twice).
INLINE_LIST_CHARS = 100


def template_example() -> dict:
    """The template's example row: one child with every block of the form filled in."""
    born = dt.date(2016, 5, 1)
    return {
        "village_code": "341623100201",
        "village_group": "一组",
        "name": "王小明",
        "sex": _("male"),
        "ethnicity": "汉族",
        "birth_date": born,
        "id_number": idnumber.make("341623", born, 11),
        "hukou_type": _("rural"),
        "hukou_registered": _("yes"),
        "health": _("healthy"),
        "schooling": _("primary school"),
        "school": "城关镇中心小学",
        "income_sources": "、".join([str(_("migrant work")), str(_("farming or livestock"))]),
        "grade": "四年级",
        "boarding": _("no"),
        "dibao": _("no"),
        "extreme_poverty": _("no"),
        "low_income": _("no"),
        "paternal_grandfather.name": "王老五",
        "paternal_grandfather.birth_date": dt.date(1955, 2, 3),
        "paternal_grandmother.name": "李秀英",
        "paternal_grandmother.birth_date": dt.date(1958, 9, 9),
        "father.name": "王大山",
        "father.birth_date": dt.date(1988, 3, 2),
        "father.id_number": idnumber.make("341623", dt.date(1988, 3, 2), 13),
        "father.status": _("migrant worker"),
        "father.work_province": "浙江",
        "father.work_city": "杭州",
        "father.phone": "13800000001",
        "mother.name": "刘梅",
        "mother.birth_date": dt.date(1990, 7, 15),
        "mother.id_number": idnumber.make("341623", dt.date(1990, 7, 15), 24),
        "mother.status": _("migrant worker"),
        "mother.work_province": "江苏",
        "caregiver.name": "李秀英",
        "caregiver.relationship": _("paternal grandmother"),
        "caregiver.birth_date": dt.date(1958, 9, 9),
        "caregiver.id_number": idnumber.make("341623", dt.date(1958, 9, 9), 22),
        "caregiver.health": _("healthy"),
        "caregiver.assessment": _("good"),
        "guardianship_type": _("guardianship good"),
        "reporting_unit": "城关镇民政办",
        "reported_on": dt.date(2016, 6, 1),
        "filled_by": "张敏",
        "checked_by": "赵强",
        "unit_head": "孙立",
        "confirmed_by": "李秀英",
        "confirmed_relationship": _("entrusted caregiver"),
        "confirmed_on": dt.date(2016, 6, 1),
    }


def _allowed(column) -> list[str]:
    """The values a column's drop-down list offers (in the user's language), or []."""
    if column.kind == "choice":
        return [str(label) for _v, label in column.choices.choices]
    if column.kind == "bool":
        return [_("yes"), _("no")]
    if column.kind == "grade":
        return [str(g) for g in DISABILITY_GRADES]
    return []


def _text_cells(column) -> bool:
    """Typed as text in the template: identity numbers (an 18-digit number cell keeps 15
    digits), codes and phone numbers (leading zeros)."""
    return column.kind in TEXT_CELL_KINDS or column.key in TEXT_CELL_KEYS


def template_workbook() -> bytes:
    """The import template: the header row, one example row, and the allowed values.

    Identity-number, code and phone columns are text cells (number format "@") for the
    first TEMPLATE_ROWS rows, so a roster typed in Excel, WPS or LibreOffice keeps all 18
    characters; each choice column has a drop-down list of its values (long lists read
    from a hidden sheet)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Children")
    sheet.append([str(c.label) for c in COLUMNS])
    example = template_example()
    sheet.append(
        [
            str(v) if not isinstance(v, dt.date | int) else v
            for v in (example.get(c.key, "") for c in COLUMNS)
        ]
    )
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    last = TEMPLATE_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind == "date":
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
        if _text_cells(column):
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, last + 1):
                sheet.cell(row=row, column=index).number_format = "@"
        allowed = _allowed(column)
        if not allowed:
            continue
        inline = ",".join(allowed)
        if len(inline) <= INLINE_LIST_CHARS and "," not in "".join(allowed):
            formula = f'"{inline}"'
        else:  # too long for an inline list: a column of the hidden sheet
            for row, value in enumerate(allowed, start=1):
                lists.cell(row=row, column=index, value=value)
            formula = f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(allowed)}"
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=str(column.label),
            error=_("Choose one of the values of the list."),
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(_("Allowed values"))
    help_sheet.append([_("column"), _("allowed values")])
    for column in COLUMNS:
        if column.choices:
            help_sheet.append(
                [str(column.label), "、".join(str(label) for _v, label in column.choices.choices)]
            )
        elif column.kind in ("bool", "grade"):
            help_sheet.append([str(column.label), "、".join(_allowed(column))])
        elif column.kind == "date":
            help_sheet.append([str(column.label), "2016-05-01"])
    help_sheet.column_dimensions["A"].width = 30
    help_sheet.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- jobs: each step runs as a background job (children/tasks.py) --------------------


def _set(job, **fields):
    fields.setdefault("updated_at", timezone.now())
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _busy(actor) -> ImportBusy:
    running = (
        ImportJob.objects.filter(created_by=actor, state__in=RUNNING_IMPORT_STATES)
        .values_list("filename", flat=True)
        .first()
    )
    return ImportBusy(
        _(
            "Your import of “%(file)s” is still running. Wait until it has ended (see your "
            "recent imports below), then upload again."
        )
        % {"file": quote(running or "")}
    )


def expire_stale(actor) -> int:
    """The user's imports marked running that have not moved for
    settings.IMPORT_STALE_AFTER_MINUTES were cut off with their process (a restart): they
    end FAILED, nothing of theirs was saved, and the user may upload again."""
    since = timezone.now() - dt.timedelta(minutes=settings.IMPORT_STALE_AFTER_MINUTES)
    stale = list(
        ImportJob.objects.filter(
            created_by=actor, state__in=RUNNING_IMPORT_STATES, updated_at__lt=since
        ).select_related("created_by__area")
    )
    for job in stale:
        _finish(job, ImportJob.State.FAILED, {"file_error": str(INTERRUPTED)})
    return len(stale)


def create_job(actor, filename: str, content: bytes) -> ImportJob:
    """A job for an uploaded roster (stored encrypted), unless one of the user's imports is
    still running: ImportBusy. The database's constraint decides, so two uploads at once on
    two workers cannot both start."""
    expire_stale(actor)
    try:
        with transaction.atomic():
            return ImportJob.objects.create(
                area=actor.area,
                created_by=actor,
                filename=filename[:200],
                content=crypto.encrypt_bytes(content),
            )
    except IntegrityError as exc:
        raise _busy(actor) from exc


def begin_save(job: ImportJob) -> bool:
    """Move a checked job to SAVING. False if it is no longer waiting to be saved (a second
    click); ImportBusy if another of the user's imports is running."""
    expire_stale(job.created_by)
    try:
        with transaction.atomic():
            moved = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.VALID).update(
                state=ImportJob.State.SAVING, updated_at=timezone.now()
            )
    except IntegrityError as exc:
        raise _busy(job.created_by) from exc
    return bool(moved)


def log_refusal(actor, filename: str, size: int | None, message: str) -> None:
    """Audit an upload refused before any job was made (too large, a zip bomb, busy …)."""
    log_action(
        actor,
        "children.import.refused",
        None,
        {"filename": quote(filename or ""), "size": size, "reason": str(message)[:MESSAGE_CHARS]},
    )


def _finish(job, state, report, **fields):
    """End a job: the uploaded file (identity numbers in clear) is kept only while a checked
    file waits to be saved, and every outcome is audited."""
    keep_file = state == ImportJob.State.VALID
    _set(
        job,
        state=state,
        report=report,
        finished_at=timezone.now(),
        **({} if keep_file else {"content": b""}),
        **fields,
    )
    log_action(
        job.created_by,
        f"children.import.{state}",
        job,
        {
            "filename": job.filename,
            "rows": report.get("rows", 0),
            "rows_with_errors": report.get("rows_with_errors", 0),
            "saved": fields.get("saved_count", 0),
            **({"file_error": report["file_error"]} if report.get("file_error") else {}),
        },
    )


def _content(job) -> bytes:
    return crypto.decrypt_bytes(bytes(job.content))


def run_check(job: ImportJob, on_progress=None) -> None:
    """Check the job's file; the job ends INVALID (with the report) or VALID. Transient
    database errors are raised, for the job to be tried again."""
    _set(job, state=ImportJob.State.CHECKING, checked_rows=0)

    def progress(done, total):
        # Progress is best-effort: a busy database must not fail the import itself.
        try:
            _set(job, checked_rows=done, total_rows=total)
        except DatabaseError:
            logger.warning("import %s: progress not saved (database busy)", job.pk)
        if on_progress:
            on_progress(done, total, step="checking")

    try:
        rows, report = check_file(job.created_by, _content(job), progress)
    except FileProblem as problem:
        _finish(job, ImportJob.State.INVALID, {"file_error": str(problem.message)})
        return
    except TRANSIENT:
        raise
    except Exception:  # never leave a job "checking" for ever
        logger.exception("import check failed: %s", job.pk)
        _finish(job, ImportJob.State.FAILED, {"file_error": str(UNEXPECTED)})
        return
    if not rows:
        report["file_error"] = str(_("The file has no data rows."))
    state = (
        ImportJob.State.INVALID if report["rows_with_errors"] or not rows else ImportJob.State.VALID
    )
    _finish(job, state, report, total_rows=len(rows), checked_rows=len(rows))


def run_save(job: ImportJob, on_progress=None) -> None:
    """Check again (the registry may have changed) and save all rows, or none.

    Exactly once: the move SAVING → SAVED is written in the rows' transaction, which first
    takes the job's row by a conditional UPDATE; a rerun (a killed worker's job put back in
    the queue) that finds the job no longer SAVING does nothing."""
    if job.state != ImportJob.State.SAVING:
        return
    _set(job, checked_rows=0)

    def progress(done, total):
        try:
            _set(job, checked_rows=done, total_rows=total)
        except DatabaseError:
            logger.warning("import %s: progress not saved (database busy)", job.pk)
        if on_progress:
            on_progress(done, total, step="checking again")

    def mark_saved(ids):
        _finish(job, ImportJob.State.SAVED, report, saved_count=len(ids))

    try:
        rows, report = check_file(job.created_by, _content(job), progress)
        if report["rows_with_errors"] or not rows:
            _finish(job, ImportJob.State.INVALID, report)
            return
        progress(len(rows), len(rows))
        if on_progress:
            on_progress(0, len(rows), step="saving")

        def claim():
            # Holds the job's row (PostgreSQL) or the database (SQLite) until the commit.
            return bool(
                ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.SAVING).update(
                    updated_at=timezone.now()
                )
            )

        # The values are made ready outside the transaction: on SQLite it holds the whole
        # database, and other users' writes wait while it lasts.
        save_rows(job.created_by, rows, job, claim=claim, on_saved=mark_saved)
    except TRANSIENT:
        raise  # rolled back: nothing saved; the job is tried again
    except Exception:  # the transaction rolled back: nothing was saved
        logger.exception("import save failed: %s", job.pk)
        _finish(job, ImportJob.State.FAILED, {"file_error": str(UNEXPECTED)})


# Errors that a later attempt may not meet (the database busy or away): the job retries.
TRANSIENT = (OperationalError, InterfaceError)


def purge_waiting_files(max_age=dt.timedelta(days=1)) -> int:
    """Checked files nobody saved within a day are dropped (they hold identity numbers)."""
    stale = ImportJob.objects.filter(
        state=ImportJob.State.VALID, finished_at__lt=timezone.now() - max_age
    )
    return stale.update(state=ImportJob.State.EXPIRED, content=b"")


def start(job: ImportJob, step: str) -> None:
    """Queue the job's step ("check" or "save") as background work (children/tasks.py);
    with the immediate backend (tests) it runs at once."""
    from jobs import services

    from .tasks import import_step

    services.start(
        import_step,
        user=job.created_by,
        area_code=job.area.code,
        import_id=str(job.pk),
        step=step,
    )


def fail_unfinished(import_id, message) -> None:
    """An import whose job gave up (out of attempts) ends FAILED: nothing of it was saved."""
    job = ImportJob.objects.select_related("created_by__area").filter(pk=import_id).first()
    if job is not None and job.state in RUNNING_IMPORT_STATES:
        _finish(job, ImportJob.State.FAILED, {"file_error": str(message)})
