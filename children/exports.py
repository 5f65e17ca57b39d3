"""Export of the visible roster to Excel and CSV: formulas neutralised, every export audited
with its purpose, the file stamped with who exported it and when.

Identity numbers are masked unless the exporter asks for them in full, which needs a role
that sees them (never the read-only leader) and a written purpose (issue 13, point 6)."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.audit import log_read
from core.documents import neutralise
from core.exports import stamp_for, stamp_workbook

from .choices import IncomeSource
from .models import Child
from .tabular import COLUMNS, GRANDPARENTS

# Columns the export adds after the importable ones: what the registry computed. Before
# them come the township's and the village's names, so that a list drilled down from a
# figure says where each child lives (the importer reads columns by header and skips these).
RESULT_HEADERS = ["category", "care level", "status"]


GRANDPARENT_KEYS = {who for who, _label in GRANDPARENTS}


def _value(child: Child, parents: dict, caregiver, key: str, full_id: bool):
    if key == "village_code":
        return child.area.code
    prefix, _dot, name = key.rpartition(".")
    if prefix in GRANDPARENT_KEYS:  # kept on the child as {"name", "birth_date"}
        return str((child.grandparents or {}).get(prefix, {}).get(name) or "")
    if prefix == "caregiver":
        source = caregiver
    elif prefix:
        source = parents.get(prefix)
    else:
        source = child
    if source is None:
        return ""
    if name == "id_number":  # the child's, a parent's or the caregiver's: masked unless asked
        return source.id_number if full_id else source.id_masked
    display = getattr(source, f"get_{name}_display", None)
    value = display() if display and getattr(source, name) else getattr(source, name)
    if isinstance(value, list):  # income sources: codes → labels, as the template writes them
        return "、".join(
            str(IncomeSource(v).label) if v in IncomeSource.values else str(v) for v in value
        )
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def rows(children, full_id: bool):
    """The header row, then one row per child, every text cell neutralised."""
    yield [
        _("township"),
        _("village"),
        *[str(c.label) for c in COLUMNS],
        _("category"),
        _("care level"),
        _("status"),
    ]
    for child in children:
        parents = {p.role: p for p in child.parents.all()}
        caregiver = getattr(child, "caregiver", None)
        township = child.area.parent.name if child.area.parent_id else ""
        row = [township, child.area.name]
        row += [_value(child, parents, caregiver, c.key, full_id) for c in COLUMNS]
        row += [
            "、".join(str(label) for label in child.category_labels),
            child.get_care_level_display(),
            child.get_status_display(),
        ]
        yield [neutralise(cell) for cell in row]


def export_roster(
    user, children, fmt: str, filters: dict, *, full_id: bool = False, purpose: str = ""
) -> HttpResponse:
    """Write the children to CSV or XLSX, stamped with the exporter and the time, and audit
    the export with its purpose and the records touched. Full identity numbers only when
    asked for by a role that sees them."""
    children = list(
        children.select_related("area", "area__parent", "caregiver").prefetch_related("parents")
    )
    full_id = bool(full_id) and getattr(user, "sees_full_id", False)
    stamp = stamp_for(user)
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # BOM: Excel on Windows then reads the Chinese correctly
        writer = csv.writer(buffer)
        writer.writerow([neutralise(stamp.line)])  # the first line: who and when
        writer.writerows(rows(children, full_id))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Children"))
        stamp_workbook(workbook, stamp)  # properties and printed footer
        sheet.append([neutralise(stamp.line)])  # a title row above the header (importable)
        for row in rows(children, full_id):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    stamped = timezone.localtime(stamp.at).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="children-{stamped}.{fmt}"'
    log_read(
        user,
        "children.child.exported",
        None,  # the roster's filters, below
        len(children),
        ids=[c.pk for c in children],
        format=fmt,
        filters=filters,
        full_id=full_id,
        purpose=purpose,
    )
    return response
