"""Who exported a file and when, written into every exported file (issue 13, point 6): the
first line of a CSV or of an Excel sheet, the sheets' printed footer and the workbook's
properties, a PDF's footer on every page and its metadata."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Stamp:
    """The exporter and the time of one export."""

    by: str  # "王芳（wangfang）"
    at: datetime

    @property
    def line(self) -> str:
        """导出人：王芳（wangfang）　导出时间：2026-11-30 19:05"""
        return _("Exported by: %(by)s  Export time: %(at)s") % {
            "by": self.by,
            "at": timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M"),
        }


def stamp_for(user, at: datetime | None = None) -> Stamp:
    """The stamp of an export made now by `user`."""
    name = getattr(user, "name", "") or ""
    username = getattr(user, "username", "") or ""
    by = f"{name}（{username}）" if name and name != username else username
    return Stamp(by=by, at=at or timezone.now())


def stamp_workbook(workbook, stamp: Stamp | None) -> None:
    """The workbook's properties (creator, description) and each sheet's printed footer."""
    if stamp is None:
        return
    workbook.properties.creator = stamp.by
    workbook.properties.lastModifiedBy = stamp.by
    workbook.properties.description = stamp.line
    workbook.properties.created = stamp.at.replace(tzinfo=None)
    for sheet in workbook.worksheets:
        sheet.oddFooter.left.text = stamp.line.replace("&", "&&")
        sheet.evenFooter.left.text = stamp.line.replace("&", "&&")


def stamp_pdf(pdf, stamp: Stamp | None) -> None:
    """A PDF's metadata (author, subject); its footer prints `stamp.line` (see the renderer)."""
    if stamp is None:
        return
    pdf.set_author(stamp.by)
    pdf.set_subject(stamp.line)
    pdf.set_creation_date(stamp.at)
