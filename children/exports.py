"""Export of the visible roster to Excel and CSV: formulas neutralised, every export audited
with its purpose, the file stamped with who exported it and when.

Identity numbers are masked unless the exporter asks for them in full, which needs a role
that sees them (never the read-only leader) and a written purpose (issue 13, point 6)."""

import csv
import io
from types import SimpleNamespace

from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.audit import log_read
from core.documents import neutralise
from core.exports import stamp_for, stamp_workbook
from jobs import services

from .choices import IncomeSource
from .models import Child
from .tabular import COLUMNS, GRANDPARENTS

# Columns the export adds after the importable ones: what the registry computed. Before
# them come the township's and the village's names, so that a list drilled down from a
# figure says where each child lives (the importer reads columns by header and skips these).
RESULT_HEADERS = ["category", "care level", "status"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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


def write_roster(user, children, fmt: str, full_id: bool, stamp, written=None) -> bytes:
    """The file's bytes: the stamp's line first, then the header and one row per child.
    `written(n)` is called every PROGRESS_EVERY rows (a job's progress)."""
    body = rows(children, full_id)
    if written is not None:
        body = _counted(body, written)
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # BOM: Excel on Windows then reads the Chinese correctly
        writer = csv.writer(buffer)
        writer.writerow([neutralise(stamp.line)])  # the first line: who and when
        writer.writerows(body)
        return buffer.getvalue().encode("utf-8")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Children"))
    stamp_workbook(workbook, stamp)  # properties and printed footer
    sheet.append([neutralise(stamp.line)])  # a title row above the header (importable)
    for row in body:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PROGRESS_EVERY = 500


def _counted(body, written):
    for n, row in enumerate(body, start=-1):  # the header, then n children written before
        if n > 0 and n % PROGRESS_EVERY == 0:
            written(n)
        yield row


def _filename(stamp, fmt: str) -> str:
    return f"children-{timezone.localtime(stamp.at):%Y%m%d-%H%M}.{fmt}"


def _children(children):
    return list(
        children.select_related("area", "area__parent", "caregiver").prefetch_related("parents")
    )


def _audit(user, children, fmt, filters, full_id, purpose, **data):
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
        **data,
    )


def export_roster(
    user, children, fmt: str, filters: dict, *, full_id: bool = False, purpose: str = ""
) -> HttpResponse:
    """Write the children to CSV or XLSX, stamped with the exporter and the time, and audit
    the export with its purpose and the records touched. Full identity numbers only when
    asked for by a role that sees them."""
    children = _children(children)
    full_id = bool(full_id) and getattr(user, "sees_full_id", False)
    stamp = stamp_for(user)
    response = HttpResponse(
        write_roster(user, children, fmt, full_id, stamp), content_type=CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(stamp, fmt)}"'
    _audit(user, children, fmt, filters, full_id, purpose)
    return response


def roster_filter(user, query: str):
    """The roster's filter as the user set it (`query`: the page's query string), over the
    children the user may see: the page, the inline export and the job share it."""
    from .filters import ChildFilter

    children = Child.objects.visible_to(user).select_related("area", "area__parent")
    return ChildFilter(QueryDict(query), queryset=children, request=SimpleNamespace(user=user))


@services.work(title=gettext_lazy("Roster export"), counts={"rows": gettext_lazy("children")})
def roster_export(progress, *, fmt: str, query: str, full_id: bool, purpose: str) -> dict:
    """A large roster export (over settings.EXPORT_INLINE_MAX_ROWS) in the background: the
    same file and the same audit as inline, the filter applied again for the job's creator."""
    user = progress.job.created_by
    child_filter = roster_filter(user, query)
    if not child_filter.is_valid():  # the view checked it: an area may have moved since
        raise ValueError("the roster's filter is no longer valid")
    progress(0, None, step=_("reading the roster"))
    children = _children(child_filter.qs)
    total = len(children)
    full_id = bool(full_id) and getattr(user, "sees_full_id", False)
    stamp = stamp_for(user)
    step = _("rows written")
    content = write_roster(
        user, children, fmt, full_id, stamp, lambda n: progress(n, total, step=step)
    )
    progress(total, total, step=step)
    filters = {k: v for k, v in QueryDict(query).items() if k != "page"}
    _audit(user, children, fmt, filters, full_id, purpose, job=str(progress.job.pk))
    progress.save_file(content, _filename(stamp, fmt), CONTENT_TYPES[fmt])
    return {"rows": total}
