"""Village files (一村一档) as a page, PDF and Excel; township files; the gap report.

Everything starts from the area the user may see (core.scoping): outside the jurisdiction,
and for roles that see no area (volunteers, social workers), the answer is 404. Every
download is audited with the area's code and the children it contains.
"""

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from areas.codes import Level
from areas.models import Area
from areas.services import breadcrumbs
from children.choices import CareLevel, Status
from core.audit import log_read, read_query
from core.documents import CONTENT_TYPES
from core.exports import stamp_for
from core.htmx import paginate
from core.reads import audit_records
from core.routes import Routes
from core.scoping import get_visible_or_404, jurisdiction_prefix
from core.throttling import read_limited
from jobs.services import start
from people.summary import with_gaps

from . import gaps as gap_checks
from .data import village_file
from .jobs import area_files
from .render import file_title, to_pdf, to_xlsx

route = Routes()

# A file is made for a village (inside the request: it is fast), or for a township or a
# county in the background (a job: a county's is some 25,000 children, over a minute to
# build), whose page then offers the file. Above a county a file would be too large.
FILE_LEVELS = {Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY}


def _area_or_404(request, code):
    return get_visible_or_404(Area.objects.select_related("parent"), request.user, code=code)


def _below(area):
    """The areas one level below, with their registered and special-attention children."""
    children = Area.objects.filter(parent=area).order_by("code")
    if area.level == Level.TOWNSHIP:
        active = Q(children_registered__status=Status.ACTIVE)
        special = active & Q(children_registered__care_level=CareLevel.SPECIAL)
        return with_gaps(children).annotate(
            registered=Count("children_registered", filter=active),
            special=Count("children_registered", filter=special),
        )
    active = Q(children__children_registered__status=Status.ACTIVE)
    special = active & Q(children__children_registered__care_level=CareLevel.SPECIAL)
    return children.annotate(
        registered=Count("children__children_registered", filter=active),
        special=Count("children__children_registered", filter=special),
    )


@route(r"^(?P<code>[0-9]{12})/$", name="village_file", regex=True)
@read_limited
def file_page(request, code):
    """A village's file as a page (its read audited with the children shown); above a
    village, the files of the areas below."""
    area = _area_or_404(request, code)
    context = {
        "area": area,
        "title": file_title(area),
        "breadcrumbs": breadcrumbs(request.user, area),
        "downloadable": area.level in FILE_LEVELS,
    }
    if area.level == Level.VILLAGE:
        context["file"] = village_file(area, full_phone=request.user.sees_full_id)
        audit_records(
            request,
            "villagefiles.file.read",
            context["file"].child_ids,
            area_code=area.code,
            obj=area,
        )
        return render(request, "villagefiles/village_file.html", context)
    context["rows"] = _below(area)
    return render(request, "villagefiles/area_files.html", context)


@route(r"^(?P<code>[0-9]{12})\.(?P<fmt>pdf|xlsx)$", regex=True)
@read_limited
def download(request, code, fmt):
    """A village's file as PDF or Excel, audited with what it contains; a township's or a
    county's is made by a job (villagefiles.jobs), and the answer is the job's page."""
    area = _area_or_404(request, code)
    if area.level not in FILE_LEVELS:
        return render(
            request,
            "villagefiles/too_large.html",
            {"area": area, "title": file_title(area)},
            status=400,
        )
    if area.level != Level.VILLAGE:
        job = start(
            area_files,
            user=request.user,
            area_code=area.code,
            title=f"{file_title(area)} ({fmt.upper()})",
            code=area.code,
            fmt=fmt,
        )
        return redirect("jobs:job", pk=job.pk)
    full_phone = request.user.sees_full_id
    file = village_file(area, full_phone=full_phone)
    villages = 1
    stamp = stamp_for(request.user)
    content = to_pdf(file, stamp) if fmt == "pdf" else to_xlsx(file, stamp)
    ids = file.child_ids
    log_read(
        request.user,
        "villagefiles.file.exported",
        read_query(request.GET),
        len(ids),
        ids=ids,
        obj=area,
        area_code=area.code,
        format=fmt,
        level=area.level,
        villages=villages,
        full_phone=full_phone,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = f"{file_title(area)}-{file.generated_on:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@route("gaps/", name="gaps")
@route(r"^gaps/(?P<code>[0-9]{12})/$", name="gaps", regex=True)
def gap_report(request, code=None):
    """What is missing under an area; each line links to where it is fixed."""
    if code is None:
        if jurisdiction_prefix(request.user) is None:
            raise Http404
        code = request.user.area.code
    area = _area_or_404(request, code)
    today = timezone.localdate()
    context = {
        "area": area,
        "breadcrumbs": breadcrumbs(request.user, area),
        "below": Area.objects.filter(parent=area).order_by("code"),
        "today": today,
    }
    check = gap_checks.CHECKS_BY_KEY.get(request.GET.get("all", ""))
    if check is not None:
        page = paginate(request, check.rows(area.prefix, today))
        context.update(
            check=check,
            page=page,
            lines=gap_checks.lines_of(check, page.object_list),
            query=f"all={check.key}",
        )
        return render(request, "villagefiles/gaps_all.html", context)
    context["sections"] = gap_checks.report(area.prefix, today)
    return render(request, "villagefiles/gaps.html", context)
