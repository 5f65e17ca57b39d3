"""Pages of applications for benefits: the list (by step, programme, township, overdue), an
application's page with its timeline, deadline and the steps the user may take, a page per
step (each a form), documents (uploaded, and read only through a scoped, audited page), and
the report of steps and time taken. Reads of a child's application are audited; nothing here
lists beneficiaries publicly (every page needs a login and is scoped)."""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.codes import Level
from areas.models import Area
from areas.services import county_of
from children.lookup import child_or_404
from core.audit import log_action
from core.forms import saved
from core.htmx import paginate, query_without_page, render_page
from core.reads import audit_page
from core.routes import Routes
from core.scoping import get_visible_or_404, jurisdiction_required
from core.throttling import read_limited
from core.views import form_page
from relief.catalogue import ensure_catalogue
from relief.models import Programme

from . import policy, reports, services
from .forms import (
    ApplicationListForm,
    CheckForm,
    DecideForm,
    DocumentForm,
    OpenForm,
    StopDecideForm,
    StopForm,
    WithdrawForm,
)
from .models import Application, ApplicationDocument
from .policy import State, Step
from .workdays import known, workdays_left

route = Routes()


def _list_crumb():
    return (reverse("applications:list"), _("Applications for benefits"))


def _application_or_404(request, pk) -> Application:
    return get_visible_or_404(
        Application.objects.select_related(
            "child", "programme", "area__parent", "opened_by", "measure"
        ),
        request.user,
        pk=pk,
    )


# -- the list and the report -------------------------------------------------------------


@route("", name="list")
@jurisdiction_required
@read_limited
def application_list(request):
    """The applications of the jurisdiction: waiting ones first, by deadline (audited)."""
    today = timezone.localdate()
    visible = Application.objects.visible_to(request.user)
    townships = Area.objects.visible_to(request.user).filter(level=Level.TOWNSHIP).order_by("code")
    programmes = (
        Programme.objects.visible_to(request.user)
        .filter(code__in=policy.PROGRAMMES)
        .order_by("order")
        .values_list("code", "name")
        .distinct()
    )
    form = ApplicationListForm(
        request.GET or None,
        programmes=list(dict(programmes).items()),
        townships=[(t.code, t.name) for t in townships],
    )
    applications = visible
    if form.is_valid():
        data = form.cleaned_data
        if data["state"] == "open":
            applications = applications.open()
        elif data["state"]:
            applications = applications.filter(state=data["state"])
        if data["programme"]:
            applications = applications.filter(programme__code=data["programme"])
        if data["township"]:
            applications = applications.filter(area__parent__code=data["township"])
        if data["overdue"]:
            applications = applications.overdue(today)
        if data["q"]:
            applications = applications.filter(
                Q(child__name__icontains=data["q"])
                | Q(child__name_pinyin__icontains=data["q"].lower())
            )
    page = paginate(
        request,
        # Waiting ones first, the nearest deadline first; then the settled, newest first.
        applications.select_related("child", "programme", "area__parent").order_by(
            F("due_on").asc(nulls_last=True), "-opened_on", "-pk"
        ),
    )
    for application in page.object_list:
        application.days_left = (
            workdays_left(today, application.due_on) if application.is_open else None
        )
    audit_page(request, "applications.application.listed", page)
    context = {
        "filters": {"form": form},
        "page": page,
        "query": query_without_page(request),
        "today": today,
    }
    return render_page(
        request, "applications/list.html", context, "applications/partials/_list.html"
    )


@route("report/", name="report")
@jurisdiction_required
def application_report(request):
    """How many applications wait at each step, how long each step took (median and
    longest, in working days), and the overdue ones by township. Counts only."""
    visible = Application.objects.visible_to(request.user)
    context = {
        "states": reports.by_state(visible),
        "times": reports.time_taken(visible),
        "limits": [(State(s).label, days) for s, days in policy.TIME_LIMITS.items()],
    }
    return render(request, "applications/report.html", context)


# -- an application ----------------------------------------------------------------------


# (Labels are lazy: the list is made once, each page shows it in its reader's language.)
STEP_PAGES = [
    (Step.CHECK, "applications:check", gettext_lazy("Record the township's check")),
    (Step.DECIDE, "applications:decide", gettext_lazy("Decide")),
    (Step.OPEN_STOP, "applications:stop", gettext_lazy("Open a stop")),
    (Step.DECIDE_STOP, "applications:stop_decide", gettext_lazy("Decide the stop")),
    (Step.ATTACH, "applications:document_new", gettext_lazy("Attach a document")),
    (Step.WITHDRAW, "applications:withdraw", gettext_lazy("Withdraw")),
]


@route("<int:pk>/", name="detail")
def application_detail(request, pk):
    """An application: the child and programme, the current step with its deadline and
    working days left, the timeline of steps, the documents, and the steps the user may
    take (and why not, when they may not). Reading it is audited."""
    application = _application_or_404(request, pk)
    today = timezone.localdate()
    log_action(
        request.user,
        "applications.application.read",
        application,
        {"child": application.child_id},
    )
    actors = services.earlier_actors(application)
    actions = []
    for step, url_name, label in STEP_PAGES:
        if not policy.may_take(step, application.state, getattr(request.user, "role", None)):
            continue
        kept_apart = policy.kept_apart(step, actors, request.user.pk)
        actions.append(
            {"url": reverse(url_name, args=[pk]), "label": label, "kept_apart": kept_apart}
        )
    context = {
        "application": application,
        "steps": application.steps.select_related("actor"),
        "documents": application.documents.all(),
        "actions": actions,
        "overdue": application.is_overdue(today),
        "badge": _state_badge(application, today),
        "days_left": workdays_left(today, application.due_on)
        if application.is_open and application.due_on
        else None,
        "calendar_known": known(application.due_on) if application.due_on else True,
        "limit": policy.TIME_LIMITS.get(application.state),
    }
    return render(request, "applications/detail.html", context)


def _state_badge(application, today) -> str:
    """The class of the step's badge: late "bad", waiting "warn", in effect "ok", else plain."""
    if application.is_overdue(today):
        return "bad"
    if application.is_open:
        return "warn"
    return "ok" if application.state == State.IN_EFFECT else ""


def _step_allowed(request, application, step):
    """A step page opens for those who may take the step now: a role that may never take
    it, or the separation of duties, is a 403; an application not at this step sends back
    to its page (with why)."""
    reason = services.refusal(request.user, application, step)
    if not reason:
        return None
    role = getattr(request.user, "role", None)
    if policy.role_may_take(step, role) and not policy.may_take(step, application.state, role):
        messages.info(request, reason)
        return redirect("applications:detail", pk=application.pk)
    raise PermissionDenied(reason)


def _step_page(request, pk, step, form_class, call, title, submit_label, *, done, lead=None):
    """The page of one step: its form, saved through the service `call(application, form)`."""
    application = _application_or_404(request, pk)
    refused = _step_allowed(request, application, step)
    if refused is not None:
        return refused
    if request.method == "GET":  # the page shows the application: a read of the child's data
        log_action(
            request.user,
            "applications.application.read",
            application,
            {"child": application.child_id, "page": step},
        )
    form = form_class(request.POST or None, request.FILES or None)
    if saved(request, form, lambda: call(application, form), done):
        return redirect("applications:detail", pk=application.pk)
    detail_url = reverse("applications:detail", args=[application.pk])
    return form_page(
        request,
        form,
        title,
        crumbs=[_list_crumb(), (detail_url, f"{application.child.name} · {application.programme}")],
        lead=lead,
        cancel_url=detail_url,
        submit_label=submit_label,
        form_testid=f"{step}-form",
        submit_testid="submit",
        template="applications/step.html",
        application=application,
    )


@route("children/<int:child_pk>/new/", name="new")
def application_new(request, child_pk):
    """Open an application for a child (the village's director or a township officer)."""
    child = child_or_404(request, child_pk)
    reason = services.refusal(request.user, None, Step.OPEN)
    if reason:
        raise PermissionDenied(reason)
    county = county_of(child.area)
    if county is not None:  # the programmes to choose from are the county's catalogue's
        ensure_catalogue(county, request.user)
    form = OpenForm(
        request.POST or None, child=child, programme_code=request.GET.get("programme", "")
    )
    created = {}

    def open_it():
        created["application"] = services.open_application(
            request.user, child, form.data_for_service()
        )
        return created["application"]

    if saved(request, form, open_it, _("Application opened: the township checks it next.")):
        return redirect("applications:detail", pk=created["application"].pk)
    return form_page(
        request,
        form,
        _("Apply for a benefit"),
        crumbs=[(reverse("children:detail", args=[child.pk]), child.name)],
        lead=_(
            "The township checks the application within 10 working days, then the county "
            "decides within 5. Attach the documents on the application's page."
        ),
        cancel_url=reverse("children:detail", args=[child.pk]),
        submit_label=_("Open the application"),
        form_testid="open-form",
        submit_testid="submit",
    )


@route("<int:pk>/check/", name="check")
def application_check(request, pk):
    """The township's check: findings, facts cross-checked, confirmed or not."""
    return _step_page(
        request,
        pk,
        Step.CHECK,
        CheckForm,
        lambda a, f: services.check_application(request.user, a, f.data_for_service()),
        _("Township's check"),
        _("Record the check"),
        done=_("Check recorded: the county decides next."),
        lead=_("Not by the person who applied (separation of duties)."),
    )


@route("<int:pk>/decide/", name="decide")
def application_decide(request, pk):
    """The county's decision: approve with the amount (the measure starts next month), or
    refuse with the reason."""
    return _step_page(
        request,
        pk,
        Step.DECIDE,
        DecideForm,
        lambda a, f: services.decide_application(request.user, a, f.data_for_service()),
        _("County's decision"),
        _("Record the decision"),
        done=_("Decision recorded."),
        lead=_(
            "An approved measure is in effect from the month after the decision. Not by the "
            "person who applied or checked."
        ),
    )


@route("<int:pk>/withdraw/", name="withdraw")
def application_withdraw(request, pk):
    """The family withdraws the application."""
    return _step_page(
        request,
        pk,
        Step.WITHDRAW,
        WithdrawForm,
        lambda a, f: services.withdraw_application(request.user, a, f.cleaned_data["reason"]),
        _("Withdraw the application"),
        _("Withdraw"),
        done=_("Application withdrawn."),
    )


@route("<int:pk>/stop/", name="stop")
def application_stop(request, pk):
    """Open a stop of a measure in effect: what changed."""
    return _step_page(
        request,
        pk,
        Step.OPEN_STOP,
        StopForm,
        lambda a, f: services.open_stop(request.user, a, f.cleaned_data),
        _("Open a stop"),
        _("Open the stop"),
        done=_("Stop opened: the county decides next."),
        lead=_("Once the county confirms it, payment ends from the next month."),
    )


@route("<int:pk>/stop/decide/", name="stop_decide")
def application_stop_decide(request, pk):
    """The county confirms the stop (payment ends from next month) or keeps the measure."""
    return _step_page(
        request,
        pk,
        Step.DECIDE_STOP,
        StopDecideForm,
        lambda a, f: services.decide_stop(request.user, a, f.data_for_service()),
        _("Decide the stop"),
        _("Record the decision"),
        done=_("Decision on the stop recorded."),
        lead=_("Not by the person who opened the stop."),
    )


@route("<int:pk>/documents/new/", name="document_new")
def document_new(request, pk):
    """Attach a document: a photo of the paper or a PDF scan."""
    return _step_page(
        request,
        pk,
        Step.ATTACH,
        # The refusal is read once the request's files are parsed (by the form's arguments).
        lambda *args: DocumentForm(*args, upload_refused=getattr(request, "upload_refused", None)),
        lambda a, f: services.attach_document(
            request.user, a, f.cleaned_data["file"], f.cleaned_data["title"]
        ),
        _("Attach a document"),
        _("Attach"),
        done=_("Document attached."),
        lead=_("Documents are seen only by those who handle the application."),
    )


DOCUMENT_POLICY = {
    "default-src": [NONE],
    "img-src": [SELF],
    "style-src": [UNSAFE_INLINE],
    "base-uri": [NONE],
    "form-action": [NONE],
    "frame-ancestors": [NONE],
}


@route("documents/<int:pk>/", name="document")
def document(request, pk):
    """A document, to those who may see its application; each view is audited, and it is
    kept in no cache. A PDF is downloaded rather than shown in the page."""
    found = get_visible_or_404(
        ApplicationDocument.objects.select_related("application__area"),
        request.user,
        pk=pk,
    )
    log_action(
        request.user,
        "applications.document.read",
        found.application,
        {"document": found.pk, "child": found.application.child_id},
    )
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type,
        as_attachment=found.is_pdf,
        filename=f"document-{found.pk}.{'pdf' if found.is_pdf else 'jpg'}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # A policy of its own: the file loads nothing and runs nothing, but the browser's viewer
    # of a photo styles its page inline (centred, shrunk to the phone's width), which the
    # site's policy (style-src 'self') would block.
    response._csp_config = DOCUMENT_POLICY  # read by django-csp's middleware
    return response
