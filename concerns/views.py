"""Pages of reports of concern: the public reporting page (no login), the staff form, the
list of reports and a report's page, where it is linked to a child and moved forward."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from areas.codes import Level
from areas.models import Area
from children.lookup import child_or_404
from children.models import Child
from core.audit import log_action
from core.documents import CONTENT_TYPES, table_pdf, table_xlsx
from core.exports import stamp_for
from core.forms import refusal_message, save_through
from core.htmx import paginate, query_without_page, render_page, search_text
from core.reads import audit_page
from core.routes import Routes
from core.scoping import get_visible_or_404, jurisdiction_prefix
from core.throttling import read_limited
from core.views import form_page

from . import changes, public, reports, services
from .forms import AdvanceForm, ChangeForm, PublicReportForm, ReportForm
from .models import ConcernReport, Source, State, Urgency, sees_reporter

route = Routes()


def _villages(prefix: str = ""):
    return (
        Area.objects.within(prefix)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )


def _limited(request, form):
    """Past the hour's limit: the form again, as typed, with the numbers to call instead."""
    response = render(
        request,
        "concerns/public_form.html",
        {"form": form, "limit_message": public.LIMIT_MESSAGE},
        status=429,
    )
    response["Retry-After"] = str(public.retry_after())
    return response


@route("public/", name="public", public=True)
@never_cache
def public_report(request):
    """Anyone (a teacher, a doctor, a neighbour) reports a child at risk, without an account.
    The limit and the robot trap are concerns.public's, as in the API."""
    form = PublicReportForm(request.POST or None, villages=_villages())
    if request.method == "POST":
        if not public.may_report(request):
            return _limited(request, form)
        if public.is_robot(request.POST):
            if not public.claim(request, robot=True):
                return _limited(request, form)
            request.session["concern_reference"] = public.robot_reference(request)
            return redirect("concerns:thanks")
        if form.is_valid():
            if not public.claim(request):
                return _limited(request, form)
            report = save_through(
                form, lambda: services.receive(form.report_data(), source=Source.PUBLIC)
            )
            if report is None:  # refused after all: the slot is the reporter's again
                public.release(request)
            else:
                request.session["concern_reference"] = report.reference
                return redirect("concerns:thanks")
    return render(request, "concerns/public_form.html", {"form": form})


@route("public/thanks/", public=True)
@never_cache
def thanks(request):
    reference = request.session.pop("concern_reference", None)
    if reference is None:
        return redirect("concerns:public")
    return render(request, "concerns/thanks.html", {"reference": reference})


@route("new/", name="new")
def report_new(request):
    """A staff member or helper files a report (their identity is kept as the reporter's)."""
    area = getattr(request.user, "area", None)
    villages = _villages(area.prefix if area else "-")
    form = ReportForm(request.POST or None, villages=villages, initial={"urgency": Urgency.NORMAL})
    if request.method == "POST" and form.is_valid():
        report = save_through(
            form,
            lambda: services.receive(form.report_data(), actor=request.user, source=Source.STAFF),
        )
        if report:
            messages.success(
                request,
                _("Report %(ref)s received and sent to the village and township.")
                % {"ref": report.reference},
            )
            if ConcernReport.objects.visible_to(request.user).filter(pk=report.pk).exists():
                return redirect("concerns:detail", pk=report.pk)
            return redirect("home")
    return form_page(
        request,
        form,
        _("Report a child at risk"),
        crumbs=[(reverse("concerns:list"), _("Reports of concern"))],
        submit_label=_("Send the report"),
        form_testid="report-form",
        submit_testid="submit",
    )


@route("", name="list")
@read_limited
def report_list(request):
    """Reports of the jurisdiction: open ones first, by deadline; overdue marked (audited)."""
    reports = ConcernReport.objects.visible_to(request.user).select_related("area__parent", "child")
    state = request.GET.get("state", "open")
    if state == "open":
        reports = reports.open()
    elif state in State.values:
        reports = reports.filter(state=state)
    query = search_text(request)
    if query:
        reports = reports.filter(
            Q(child_name__icontains=query)
            | Q(child__name__icontains=query)
            | Q(place__icontains=query)
        )
    page = paginate(request, reports.order_by("state", "deadline"))
    audit_page(request, "concerns.report.listed", page)
    context = {
        "page": page,
        "state": state,
        "states": State.choices,
        "q": query,
        "query": query_without_page(request),
        "now": timezone.now(),
    }
    return render_page(request, "concerns/list.html", context, "concerns/partials/_list.html")


def _report_or_404(request, pk):
    return get_visible_or_404(
        ConcernReport.objects.select_related("area__parent", "child"), request.user, pk=pk
    )


@route("<int:pk>/", name="detail")
def report_detail(request, pk):
    """A report: what was reported, its steps, and (for who handles it) linking the child and
    moving it forward. Reading it is audited."""
    report = _report_or_404(request, pk)
    log_action(request.user, "concerns.report.read", report, {}, area_code=report.area.code)
    handles = services.may_handle(request.user, report)
    query = search_text(request, "child")
    candidates = []
    if handles and report.child_id is None:
        found = Child.objects.visible_to(request.user).active().within(report.area.prefix)
        if query:
            found = found.filter(Q(name__icontains=query) | Q(name_pinyin__icontains=query.lower()))
        elif report.child_name:
            found = found.filter(name__icontains=report.child_name[:2])
        candidates = list(found.order_by("name")[:20])
    context = {
        "report": report,
        "events": report.events.select_related("actor"),
        "show_reporter": sees_reporter(request.user),
        "handles": handles,
        "candidates": candidates,
        "child_query": query,
        "advance_form": AdvanceForm(report=report)
        if handles and report.state != State.CLOSED
        else None,
        "overdue": report.state in (State.RECEIVED, State.ASSESSING)
        and report.deadline < timezone.now(),
        "prefix": jurisdiction_prefix(request.user),
    }
    return render(request, "concerns/detail.html", context)


@route("<int:pk>/link/", name="link")
def report_link(request, pk):
    report = _report_or_404(request, pk)
    if request.method != "POST":
        return redirect("concerns:detail", pk=pk)
    child = Child.objects.visible_to(request.user).filter(pk=request.POST.get("child") or 0).first()
    if child is None:
        refusal = _("Choose a child of your jurisdiction.")
    else:
        refusal = refusal_message(lambda: services.link_child(request.user, report, child))
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(
            request,
            _("Linked to %(name)s: the child's care level was reviewed.") % {"name": child.name},
        )
    return redirect("concerns:detail", pk=pk)


@route("<int:pk>/advance/", name="advance")
def report_advance(request, pk):
    report = _report_or_404(request, pk)
    if not services.may_handle(request.user, report):
        raise PermissionDenied
    form = AdvanceForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if save_through(
            form,
            lambda: services.advance(
                request.user, report, data["state"], data["note"], data["outcome"], data["referral"]
            ),
        ):
            messages.success(request, _("Saved."))
            return redirect("concerns:detail", pk=pk)
    return form_page(
        request,
        form,
        f"{_('Next step')} · {report.reference}",
        crumbs=[(reverse("concerns:detail", args=[report.pk]), report.reference)],
        crumb=_("Next step"),
        form_testid="advance-form",
        submit_testid="advance",
    )


@route("changes/<int:child_pk>/")
def change_new(request, child_pk):
    """Record a change in a child's situation; the record, care level and schedule follow."""
    child = child_or_404(request, child_pk)
    if not Child.objects.editable_by(request.user).filter(pk=child.pk).exists():
        raise PermissionDenied
    form = ChangeForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = save_through(
            form, lambda: changes.record_change(request.user, child, data["kind"], data)
        )
        if event:
            messages.success(
                request,
                _("Recorded. Care level: %(level)s; the village and township were told.")
                % {"level": event.child.get_care_level_display()},
            )
            return redirect("children:detail", pk=child.pk)
    child_url = reverse("children:detail", args=[child.pk])
    return form_page(
        request,
        form,
        f"{_('Record a change')} · {child.name}",
        crumbs=[(child_url, child.name)],
        crumb=_("Record a change"),
        lead=_(
            "The record is changed at once, the child is classified again with this change as "
            "the reason, the visit schedule follows the care level, and the village's director "
            "and the township's supervisor are told."
        ),
        cancel_url=child_url,
        form_testid="change-form",
        submit_testid="save",
    )


@route("inbox/")
def inbox(request):
    """Open reports of concern of the user's jurisdiction: a fragment for the home page (htmx)."""
    return render(request, "concerns/partials/_inbox.html", services.inbox(request.user))


REPORT_KINDS = {"social": reports.social_forces, "concerns": reports.reports_of_concern}


@route("summary/<str:code>/")
def summary(request, code):
    """The county's reports on social forces and reports of concern for a year (page, Excel
    or PDF; files audited)."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), timezone.localdate().year)
    tables = [build(area, year) for build in REPORT_KINDS.values()]
    fmt = request.GET.get("format", "")
    kind = request.GET.get("report", "")
    if fmt in ("xlsx", "pdf") and kind in REPORT_KINDS:
        table = REPORT_KINDS[kind](area, year)
        subtitle = f"{area.name} {area.code}"
        stamp = stamp_for(request.user)
        if fmt == "pdf":
            content = table_pdf(
                table.title,
                subtitle,
                table.headings,
                table.rows,
                table.widths,
                timezone.localdate(),
                stamp,
            )
        else:
            content = table_xlsx(
                table.title, subtitle, table.headings, table.rows, table.widths, stamp
            )
        log_action(
            request.user,
            "concerns.report_summary.exported",
            area,
            {"format": fmt, "report": kind, "year": year, "rows": len(table.rows)},
            area_code=area.code,
        )
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, f"{table.title}.{fmt}")
        return response
    return render(
        request,
        "concerns/summary.html",
        {"area": area, "year": year, "tables": list(zip(REPORT_KINDS, tables, strict=True))},
    )
