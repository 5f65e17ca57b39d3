"""A township's or a county's village files, made in the background (a job): gathered
township by township, written village by village with the job's progress, then kept
encrypted for a day for the user who asked (jobs.views). Audited as the download was, with
the area and every child the file contains, when the file is made."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.codes import Level
from areas.models import Area
from core.audit import log_read
from core.documents import CONTENT_TYPES
from core.exports import stamp_for
from jobs import services

from .data import TownshipFile, township_file
from .render import file_title, to_pdf, to_xlsx


@services.work(
    title=gettext_lazy("Village files"),
    counts={"villages": gettext_lazy("villages"), "children": gettext_lazy("children")},
)
def area_files(progress, *, code: str, fmt: str) -> dict:
    """The file of a township (its villages) or of a county (its townships' villages, one
    township after the other), as PDF or Excel, for the job's creator."""
    user = progress.job.created_by
    # Checked again here: the worker acts for the user, inside their jurisdiction only.
    area = Area.objects.visible_to(user).select_related("parent").get(code=code)
    full_phone = user.sees_full_id
    today = timezone.localdate()
    if area.level == Level.TOWNSHIP:
        townships = [area]
    else:
        townships = list(Area.objects.filter(parent=area, level=Level.TOWNSHIP).order_by("code"))
    total = Area.objects.within(area.prefix).filter(level=Level.VILLAGE).count()
    villages = []
    for township in townships:
        progress(0, total, step=_("collecting %(name)s") % {"name": township.name})
        villages += township_file(township, full_phone=full_phone, today=today).villages
    file = TownshipFile(area=area, villages=villages, generated_on=today)
    written = 0

    def one_more(village):
        nonlocal written
        written += 1
        progress(written, total, step=village.area.name)

    stamp = stamp_for(user)
    content = to_pdf(file, stamp, one_more) if fmt == "pdf" else to_xlsx(file, stamp, one_more)
    ids = file.child_ids
    log_read(
        user,
        "villagefiles.file.exported",
        {},
        len(ids),
        ids=ids,
        obj=area,
        area_code=area.code,
        format=fmt,
        level=area.level,
        villages=len(villages),
        full_phone=full_phone,
        job=str(progress.job.pk),
    )
    progress.save_file(content, f"{file_title(area)}-{today:%Y%m%d}.{fmt}", CONTENT_TYPES[fmt])
    return {"villages": len(villages), "children": len(ids)}
