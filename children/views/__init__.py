"""Pages of the child registry. Thin: access, form, one service call, response."""

import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import router
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.compiled import prepared, sentinel_id
from core.forms import refusal_message, save_through
from core.htmx import paginate, query_without_page, render_page
from core.instances import Shape
from core.navigation import next_url
from core.reads import audit_page
from core.routes import Routes
from core.scoping import (
    STAND_IN_PREFIX,
    can_manage,
    can_write,
    get_visible_or_404,
    jurisdiction_prefix,
    jurisdiction_required,
    range_bounds,
)
from core.throttling import read_limited
from jobs.services import start as start_job

from .. import imports, policy, services
from ..choices import ParentRole, Status
from ..exports import export_roster, roster_export
from ..filters import ChildFilter
from ..forms import (
    BasisForm,
    CaregiverForm,
    CareLevelForm,
    ChildForm,
    CloseForm,
    ExportForm,
    ImportForm,
    ParentForm,
    TransferForm,
)
from ..imports import purge_waiting_files, start, template_workbook
from ..lookup import child_or_404
from ..models import Child, ChildChange, Concern, ImportJob, Parent, Transfer
from ..tabular import GRANDPARENTS
from .concerns import for_display
from .steps import back_to_child, child_to_change

route = Routes()


def _recorded(first: str, until: str | None = None) -> list[str]:
    """Child.RECORDED_FIELDS from `first` up to `until` (not included; the end when None):
    the page's sections follow the national form's order."""
    fields = Child.RECORDED_FIELDS
    return list(fields[fields.index(first) : fields.index(until) if until else None])


# Which of ChildForm's fields go in which section of the registration page.
FORM_SECTIONS = {
    "child_fields": [*_recorded("area", "health"), "id_number"],
    "health_fields": _recorded("health", "income_sources"),
    "household_fields": [*_recorded("income_sources", "guardianship_type"), "siblings"],
    "guardianship_fields": ["guardianship_type"],
    "signoff_fields": _recorded("reporting_unit", "confirmed_by"),
    "confirmation_fields": _recorded("confirmed_by"),
    "grandparent_fields": [
        f"{who}_{part}"
        for who in (
            "paternal_grandfather",
            "paternal_grandmother",
            "maternal_grandfather",
            "maternal_grandmother",
        )
        for part in ("name", "birth")
    ],
}


def roster_queryset(request):
    """The filtered roster the user may see (the page, the exports and the API share it)."""
    children = Child.objects.visible_to(request.user).select_related("area", "area__parent")
    return ChildFilter(request.GET, queryset=children, request=request)


def filtered_children(child_filter):
    """The filter's children, or none when a filter value was refused (an unknown or
    invisible area …): a refused filter must never widen the list to the whole
    jurisdiction."""
    return child_filter.qs if child_filter.is_valid() else child_filter.queryset.none()


@route("")
@jurisdiction_required
@read_limited
def roster(request):
    """The roster of the user's jurisdiction: search, filters, sorting, pagination. A refused
    filter value answers 400 with the field's error shown and no children listed. Every
    page and search is audited (the query, the children shown)."""
    child_filter = roster_queryset(request)
    page = paginate(request, filtered_children(child_filter))
    audit_page(request, "children.child.listed", page)
    context = {
        "filter": child_filter,
        "page": page,
        "query": query_without_page(request),
        "can_write": can_write(request.user),
    }
    response = render_page(
        request, "children/roster.html", context, "children/partials/_roster_table.html"
    )
    if not child_filter.is_valid():
        response.status_code = 400
    return response


@route(r"^export\.(?P<fmt>csv|xlsx)$", regex=True)
@read_limited
def export(request, fmt):
    """The roster as the user filtered it, as Excel or CSV: the page asks the purpose (and,
    for roles that see them, whether identity numbers are written in full); the POST
    writes the file, stamped and audited with the purpose; over
    settings.EXPORT_INLINE_MAX_ROWS children a job writes it and the answer is its page."""
    child_filter = roster_queryset(request)
    if not child_filter.is_valid():
        errors = "; ".join(str(e) for field in child_filter.errors.values() for e in field)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    form = ExportForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if child_filter.qs.count() > settings.EXPORT_INLINE_MAX_ROWS:
            job = start_job(
                roster_export,
                user=request.user,
                area_code=request.user.area.code if request.user.area_id else "",
                title=_("Roster export (%(fmt)s)") % {"fmt": fmt.upper()},
                fmt=fmt,
                query=query_without_page(request),
                full_id=form.cleaned_data.get("full_id", False),
                purpose=form.cleaned_data["purpose"],
            )
            return redirect("jobs:job", pk=job.pk)
        filters = {k: v for k, v in request.GET.items() if k != "page"}
        return export_roster(
            request.user,
            child_filter.qs,
            fmt,
            filters,
            full_id=form.cleaned_data.get("full_id", False),
            purpose=form.cleaned_data["purpose"],
        )
    context = {
        "form": form,
        "fmt": fmt,
        "count": child_filter.qs.count(),
        "query": query_without_page(request),
    }
    context["in_background"] = context["count"] > settings.EXPORT_INLINE_MAX_ROWS
    return render(request, "children/export.html", context, status=400 if form.errors else 200)


@route("<int:pk>/")
def detail(request, pk):
    """A child's page: facts, classification with reasons, family, history. Audited."""
    # Who recorded the legal basis and the caregiver: the page shows them (read with the
    # child, no query of their own).
    child = child_or_404(request, pk, "basis_recorded_by", "caregiver")
    services.record_read(request.user, child)
    family = _of_child("parents", child)  # the page lists them as well: one query for both
    parents = {p.role: p for p in family}
    concerns = for_display(_of_child("concerns", child), request.user)
    pending = _of_child("pending_handover", child)
    context = {
        "open_concerns": [c for c in concerns if c.is_open],
        "closed_concerns": [c for c in reversed(concerns) if not c.is_open][:20],
        "child": child,
        "parents": family,
        "father": parents.get(ParentRole.FATHER),
        "mother": parents.get(ParentRole.MOTHER),
        "caregiver": getattr(child, "caregiver", None),
        "grandparents": [
            (label, child.grandparents[who])
            for who, label in GRANDPARENTS
            if isinstance((child.grandparents or {}).get(who), dict)
        ],
        "reasons": [policy.render_reason(r) for r in child.reasons],
        "level_reasons": [policy.render_reason(r) for r in child.level_reasons],
        "changes": _of_child("changes", child),
        "siblings": _siblings(child, request.user),
        "transfers": child.transfers.select_related("from_area", "to_area")[:10],
        "pending_handover": pending[0] if pending else None,
        "age": child.age_on(services.today()),
        "full_id": child.id_number if getattr(request.user, "sees_full_id", False) else None,
        "can_write": can_write(request.user),
        "can_manage": can_manage(request.user),
    }
    return render(request, "children/detail.html", context)


# What a child's page lists of the child's own records: (model, related rows read with
# each, the rows of the child with the id `pk`, as the ORM's related manager gives them).
_CHILDS_ROWS = {
    "parents": (Parent, (), lambda pk: Parent.objects.filter(child=pk)),
    "concerns": (Concern, ("owner",), lambda pk: Concern.objects.filter(child=pk)),
    "changes": (ChildChange, (), lambda pk: ChildChange.objects.filter(child=pk)),
    "pending_handover": (
        Transfer,
        ("to_area",),
        lambda pk: Transfer.objects.filter(child=pk, state=Transfer.State.PENDING),
    ),
}
# Rows a page shows at most (the history's newest 50; the one pending handover, as first()).
_CHILDS_ROWS_LIMIT = {"changes": 50, "pending_handover": 1}


@functools.cache
def _childs_shape(name: str) -> Shape:
    model, related, _rows = _CHILDS_ROWS[name]
    return Shape(model, related)


def _childs_rows(name: str, pk):
    shape = _childs_shape(name)
    rows = _CHILDS_ROWS[name][2](pk).values(*shape.names)
    return rows[: _CHILDS_ROWS_LIMIT[name]] if name in _CHILDS_ROWS_LIMIT else rows


def _of_child(name: str, child) -> list:
    """The child's rows of `_CHILDS_ROWS[name]` in their model's order, each knowing its child
    (as the related manager's do): their query compiled once per process (core.compiled),
    the child's id its value. Building the five queries of a child's page anew was a fifth
    of its CPU (bench/README.md)."""
    shape = _childs_shape(name)
    query = prepared(
        ("children.detail", name),
        functools.partial(_childs_rows, name),
        sentinel_id(),
        model=shape.model,
    )
    alias = router.db_for_read(shape.model)
    own = shape.model._meta.get_field("child")
    records = []
    for row in query.run(child.pk):
        record = shape.build(row, alias)
        own.set_cached_value(record, child)
        records.append(record)
    return records


def _siblings(child, user):
    """The child's registered siblings the user may see (their ids and names: the page links
    to them), in the roster's order."""
    prefix = jurisdiction_prefix(user)
    if prefix is None or range_bounds(prefix) is None:  # the ORM decides
        return Child.objects.visible_to(user).filter(siblings=child).values("pk", "name")
    query = prepared(
        "children.detail.siblings",
        lambda pk, prefix: Child.objects.within(prefix).filter(siblings=pk).values("pk", "name"),
        sentinel_id(),
        STAND_IN_PREFIX,
        model=Child,
        params=lambda pk, prefix: [pk, *range_bounds(prefix)],
    )
    return query.run(child.pk, prefix)


def _family_forms(request, child=None):
    """The child, father, mother and caregiver forms of one page."""
    data = request.POST if request.method == "POST" else None
    initial = {}
    if child is None and request.GET.get("area", "").isdigit():
        initial["area"] = int(request.GET["area"])  # e.g. "register a child in this village"
    parents = {p.role: p for p in child.parents.all()} if child else {}
    caregiver = getattr(child, "caregiver", None) if child else None
    instance = Child.objects.get(pk=child.pk) if child and data is not None else child
    form = ChildForm(data, instance=instance, actor=request.user, initial=initial)
    forms = {
        "form": form,
        "father_form": ParentForm(
            data, instance=parents.get(ParentRole.FATHER), prefix="father", actor=request.user
        ),
        "mother_form": ParentForm(
            data, instance=parents.get(ParentRole.MOTHER), prefix="mother", actor=request.user
        ),
        "caregiver_form": CaregiverForm(
            data, instance=caregiver, prefix="caregiver", actor=request.user
        ),
    }
    if child is None:  # the legal basis, optional at registration (its own page later)
        forms["basis_form"] = BasisForm(data, prefix="basis", child_form=form, optional=True)
    return forms


def _all_valid(forms):
    return all([f.is_valid() for f in forms.values()])  # validate every form: all errors show


def _family_data(forms):
    parents = {
        ParentRole.FATHER: forms["father_form"].data_dict(),
        ParentRole.MOTHER: forms["mother_form"].data_dict(),
    }
    return parents, forms["caregiver_form"].data_dict()


def _family_page(request, forms, child=None):
    """The registration page: a new child's, or `child`'s to edit."""
    context = {**forms, **FORM_SECTIONS, "child": child, "next": next_url(request)}
    return render(request, "children/form.html", context)


@route("new/")
def new(request):
    """Register a child with the family and caregiver."""
    if not can_write(request.user):
        raise PermissionDenied
    forms = _family_forms(request)
    if request.method == "POST" and _all_valid(forms):
        parents, caregiver = _family_data(forms)
        form = forms["form"]
        child = services.register_child(
            request.user,
            form.child_data(),
            id_number=form.cleaned_data["id_number"] or None,
            parents=parents,
            caregiver=caregiver,
            basis=forms["basis_form"].basis_data(),
        )
        messages.success(request, _("Registered. The classification is shown below."))
        return back_to_child(request, child)
    return _family_page(request, forms)


@route("<int:pk>/edit/")
def edit(request, pk):
    """Edit a child's facts, family and caregiver; a stale save is refused."""
    child = child_to_change(request, pk)
    forms = _family_forms(request, child)
    if request.method != "POST":
        services.record_read(request.user, child, via="edit")  # the form shows the record
    if request.method == "POST" and _all_valid(forms):
        parents, caregiver = _family_data(forms)
        form = forms["form"]
        changes = save_through(
            form,
            lambda: services.update_child(
                request.user,
                child,
                form.child_data(),
                id_number=form.id_number_to_save(),
                parents=parents,
                caregiver=caregiver,
                siblings=form.cleaned_data.get("siblings"),
                based_on=form.cleaned_data["based_on"],
            ),
        )
        if changes is not None:  # {} when nothing changed
            messages.success(request, _("Saved."))
            return back_to_child(request, child)
    return _family_page(request, forms, child)


@route("<int:pk>/close/")
def close(request, pk):
    """Close a child's record with a reason and date (records are never deleted)."""
    child = child_to_change(request, pk)
    form = CloseForm(request.POST or None)
    if child.status != Status.ACTIVE:
        messages.info(request, _("This record is already closed."))
        return redirect("children:detail", pk=child.pk)
    if request.method == "POST" and form.is_valid():
        services.close_child(
            request.user,
            child,
            form.cleaned_data["reason"],
            form.cleaned_data["on"],
            form.cleaned_data["note"],
        )
        messages.success(request, _("The record is closed."))
        return back_to_child(request, child)
    return render(
        request,
        "children/step_form.html",
        {"child": child, "form": form, "title": _("Close the record"), "next": next_url(request)},
    )


@route("<int:pk>/reopen/")
def reopen(request, pk):
    child = child_to_change(request, pk)
    if request.method == "POST" and child.status == Status.CLOSED:
        refused = refusal_message(
            lambda: services.reopen_child(request.user, child, request.POST.get("note", "")[:300])
        )
        if refused:
            messages.error(request, refused)
        else:
            messages.success(request, _("The record is open again."))
    return redirect("children:detail", pk=child.pk)


@route("<int:pk>/care-level/")
def care_level(request, pk):
    """An officer sets the care level by hand, with a written reason."""
    child = child_to_change(request, pk, may=can_manage)
    form = CareLevelForm(
        request.POST or None,
        initial={"level": child.care_level_override, "reason": child.override_reason},
    )
    if request.method == "POST" and form.is_valid():
        services.set_care_level(
            request.user, child, form.cleaned_data["level"], form.cleaned_data["reason"].strip()
        )
        messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    return render(
        request,
        "children/step_form.html",
        {"child": child, "form": form, "title": _("Set the care level")},
    )


@route("<int:pk>/transfer/")
def transfer(request, pk):
    """Move a child to another village; both townships see the handover. To another county
    it waits for the receiving county to accept it (registry:handovers)."""
    child = child_to_change(request, pk, may=can_manage)
    form = TransferForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        done = save_through(
            form,
            lambda: services.transfer_child(
                request.user, child, form.cleaned_data["to_area"], form.cleaned_data["reason"]
            ),
        )
        if done is None:
            return render(
                request,
                "children/step_form.html",
                {"child": child, "form": form, "title": _("Transfer to another village")},
            )
        if done.state == Transfer.State.PENDING:
            messages.success(request, _("The receiving county is asked to accept the handover."))
            return redirect("children:detail", pk=child.pk)
        messages.success(request, _("Transferred."))
        if Child.objects.visible_to(request.user).filter(pk=child.pk).exists():
            return redirect("children:detail", pk=child.pk)
        return redirect("children:transfers")
    return render(
        request,
        "children/step_form.html",
        {"child": child, "form": form, "title": _("Transfer to another village")},
    )


@route("transfers/")
@jurisdiction_required
def transfers(request):
    """Handovers into and out of the user's jurisdiction."""
    items = Transfer.objects.visible_to(request.user).select_related(
        "child", "from_area", "to_area", "from_area__parent", "to_area__parent"
    )
    page = paginate(request, items)
    return render(request, "children/transfers.html", {"page": page, "query": ""})


@route("import/template.xlsx")
def import_template(request):
    """The Excel template for roster imports."""
    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="shouhu-roster-template.xlsx"'
    return response


@route("import/", name="import")
def import_upload(request):
    """Upload a roster; it is checked first, and saved only when every row is right.

    A file refused before it is read (too large, a zip bomb, too many rows, another import
    still running) is a form error: no job, nothing stored, and the refusal is audited.
    """
    if not can_write(request.user):
        raise PermissionDenied
    posted = request.method == "POST"  # bound even when the file was refused while read
    files = request.FILES if posted else None  # reads the body: the handler may refuse it
    if files is not None and sum(len(files.getlist(key)) for key in files) > 1:
        # One roster per request (a request may carry up to six photos elsewhere).
        return HttpResponseBadRequest(_("Send one file."))
    refused = getattr(request, "upload_refused", None)
    form = ImportForm(request.POST if posted else None, files, refused_upload=refused)
    if posted:
        upload = request.FILES.get("file")
        if form.is_valid():
            purge_waiting_files()
            job = save_through(
                form, lambda: imports.create_job(request.user, upload.name, upload.read())
            )
            if job is None:  # another import of the user's is still running
                form.refusal_code = "busy"
            else:
                start(job, "check")
                return redirect("children:import_job", pk=job.pk)
        if form.refusal_code:
            imports.log_refusal(
                request.user,
                upload.name if upload else (refused or {}).get("name", ""),
                upload.size if upload else int(request.META.get("CONTENT_LENGTH") or 0),
                " ".join(form.errors.get("file", [])),
            )
    jobs = ImportJob.objects.visible_to(request.user).filter(created_by=request.user)
    context = {"form": form, "jobs": jobs.defer("content")[:10]}
    return render(request, "children/import.html", context)


@route("import/<uuid:pk>/")
def import_job(request, pk):
    """A job's progress (polled while it runs) and its row-by-row report."""
    job = get_visible_or_404(ImportJob.objects.defer("content"), request.user, pk=pk)
    return render_page(
        request, "children/import_job.html", {"job": job}, "children/partials/_import_status.html"
    )


@route("import/<uuid:pk>/save/")
def import_save(request, pk):
    """Save a checked roster: every row in one transaction, or none."""
    job = get_visible_or_404(ImportJob.objects.all(), request.user, pk=pk)
    if not can_write(request.user) or job.created_by_id != request.user.pk:
        raise PermissionDenied
    if request.method == "POST" and job.state == ImportJob.State.VALID:

        def save():
            if imports.begin_save(job):
                start(job, "save")

        if refused := refusal_message(save):  # another import of the user's is running
            messages.error(request, refused)
    return redirect("children:import_job", pk=job.pk)
