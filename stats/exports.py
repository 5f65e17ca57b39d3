"""The standard statistical reports made in the background (a job): the quarterly table of a
round and the annual report of a year, as Excel or PDF, for the user who asked; the file
kept encrypted for a day (jobs.views) and the export audited as it was inside the request."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.audit import log_action
from core.documents import CONTENT_TYPES, table_pdf, table_xlsx
from core.exports import stamp_for
from jobs import services
from rounds.models import Round

from . import reports as report_builders

STEPS = 3  # the area and the figures, the table, the file


def report_bytes(report, fmt: str, stamp) -> bytes:
    """The report as a PDF or a workbook, stamped with who exported it and when."""
    if fmt == "pdf":
        return table_pdf(
            report.title,
            report.subtitle,
            report.headings,
            report.rows,
            report.widths,
            timezone.localdate(),
            stamp,
        )
    return table_xlsx(
        report.title, report.subtitle, report.headings, report.rows, report.widths, stamp
    )


@services.work(title=gettext_lazy("Statistical report"), counts={"rows": gettext_lazy("rows")})
def report_file(
    progress, *, code: str, fmt: str, round_pk: int | None = None, year: int | None = None
) -> dict:
    """The quarterly table of round `round_pk`, or the annual report of `year`, for the area
    `code`, as the job's creator may see them."""
    user = progress.job.created_by
    progress(0, STEPS, step=_("reading the figures"))
    # Checked again here: the worker acts for the user, inside their jurisdiction only.
    area = Area.objects.visible_to(user).get(code=code)
    if round_pk is not None:
        the_round = Round.objects.visible_to(user).get(pk=round_pk)
        report = report_builders.quarterly(area, the_round)
        data = {"round": the_round.label}
    else:
        report = report_builders.annual(area, year)
        data = {"year": year}
    progress(1, STEPS, step=_("writing the file"))
    content = report_bytes(report, fmt, stamp_for(user))
    progress(2, STEPS, step=_("writing the file"))
    log_action(
        user,
        "stats.report.exported",
        area,
        {
            "format": fmt,
            "title": report.title,
            "rows": len(report.rows),
            "job": str(progress.job.pk),
            **data,
        },
        area_code=area.code,
    )
    progress.save_file(content, f"{report.title}.{fmt}", CONTENT_TYPES[fmt])
    progress(STEPS, STEPS, step=_("done"))
    return {"rows": len(report.rows)}
