"""Relief pages: the county's catalogue, a child's relief section (measures and assistance
contacts, loaded into the child's page with htmx), their forms, and the list of measures."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import Count, F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from areas.services import county_of, county_of_user
from children.choices import Status as ChildStatus
from children.lookup import child_or_404
from core.compiled import prepared, sentinel_id
from core.forms import saved
from core.history import earliest_state
from core.htmx import paginate, query_without_page, render_page
from core.instances import Shape
from core.reads import audit_page
from core.routes import Routes
from core.scoping import (
    can_manage,
    can_write,
    get_visible_or_404,
    jurisdiction_prefix,
    jurisdiction_required,
)
from core.throttling import read_limited
from core.views import form_page, register_form_page

from . import catalogue, services
from .filters import MeasureFilter
from .forms import ContactForm, EndContactForm, MeasureForm, ProgrammeForm
from .models import AssistanceContact, MeasureChange, Programme, ReliefMeasure

route = Routes()


def _require_write(user):
    if not can_write(user):
        raise PermissionDenied


def _changed(request, form, update, record, data_of) -> bool:
    """Whether a posted form's change of `record` went through the service `update` (based
    on the version the form was shown); it is then said on the next page."""
    return saved(
        request,
        form,
        lambda: update(request.user, record, data_of(), based_on=form.cleaned_data["based_on"]),
    )


def _edits_catalogue(user) -> bool:
    """County officers keep their county's catalogue."""
    prefix = jurisdiction_prefix(user)
    return can_manage(user) and prefix is not None and len(prefix) == 6


# -- the catalogue -----------------------------------------------------------------------


@route("programmes/", name="catalogue")
@jurisdiction_required
def catalogue_list(request):
    """The county's relief programmes, with the measures currently recorded under each."""
    county = county_of_user(request.user)
    if county is not None:
        catalogue.ensure_catalogue(county, request.user)
    programmes = list(
        Programme.objects.visible_to(request.user)
        .select_related("county")
        .order_by("county__code", "order", "name")
    )
    current = dict(
        ReliefMeasure.objects.visible_to(request.user)
        .current()
        .values_list("programme")
        .annotate(n=Count("id"))
        .values_list("programme", "n")
    )
    for programme in programmes:
        programme.current_count = current.get(programme.pk, 0)
        # Names are Chinese data; readers of the English interface get a gloss beside them.
        programme.gloss = catalogue.gloss(programme) if get_language() == "en" else ""
    return render(
        request,
        "relief/catalogue.html",
        {
            "programmes": programmes,
            "many_counties": len({p.county_id for p in programmes}) > 1,
            "can_edit": _edits_catalogue(request.user),
        },
    )


@route("programmes/new/")
def programme_new(request):
    """Add a programme to the county's catalogue (county officers)."""
    if not _edits_catalogue(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None)
    if saved(
        request,
        form,
        lambda: services.create_programme(
            request.user, county_of_user(request.user), form.programme_data()
        ),
        _("Programme added."),
    ):
        return redirect("relief:catalogue")
    return _programme_page(request, form, None)


@route("programmes/<int:pk>/edit/")
def programme_edit(request, pk):
    """Change a programme: name, standard amount, provider, in use (county officers)."""
    programme = get_visible_or_404(Programme.objects.select_related("county"), request.user, pk=pk)
    if not Programme.objects.editable_by(request.user).filter(pk=programme.pk).exists():
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, programme=programme)
    if _changed(request, form, services.update_programme, programme, form.programme_data):
        return redirect("relief:catalogue")
    return _programme_page(request, form, programme)


def _programme_page(request, form, programme):
    """The page of a programme's form: a new one, or the one named."""
    return register_form_page(
        request,
        form,
        programme,
        new_title=_("Add a programme"),
        register=("relief:catalogue", _("Relief programmes")),
        kind="programme",
        heading=f"{_('Edit')} {programme.name}" if programme else None,
    )


# -- a child's relief --------------------------------------------------------------------


@route("children/<int:child_pk>/")
def child_section(request, child_pk):
    """A child's relief measures and assistance contacts: a fragment for the child's page
    (htmx), or a page of its own."""
    child = child_or_404(request, child_pk)
    measures = _measures_of(child.pk)
    contacts = _contacts_of(child.pk)
    context = {
        "child": child,
        "measures": [m for m in measures if m.is_current],
        "ended_measures": [m for m in measures if not m.is_current],
        "contacts": [c for c in contacts if c.is_current],
        "ended_contacts": [c for c in contacts if not c.is_current],
        "can_write": can_write(request.user) and child.status == ChildStatus.ACTIVE,
        "can_correct": can_write(request.user),
    }
    return render_page(request, "relief/child.html", context, "relief/partials/_child_section.html")


# A child's measures and contacts: their queries compiled once per process (core.compiled),
# the child's id their value; the section is loaded with every child's page, and building
# the two queries cost more than running them (bench/README.md).
_MEASURE = Shape(ReliefMeasure, ["programme"])
_CONTACT = Shape(AssistanceContact)


def _measures(child_pk):
    # No ORDER BY, as the model query's (Meta.ordering does not apply to an aggregate).
    return (
        ReliefMeasure.objects.filter(child=child_pk)
        .values(*_MEASURE.names)
        .annotate(revision_count=Count("changes"))
    )


def _measures_of(child_pk) -> list[ReliefMeasure]:
    """The child's measures with their programme and number of revisions."""
    query = prepared("relief.child_measures", _measures, sentinel_id(), model=ReliefMeasure)
    alias = router.db_for_read(ReliefMeasure)
    measures = []
    for row in query.run(child_pk):
        measure = _MEASURE.build(row, alias)
        measure.revision_count = row["revision_count"]
        measures.append(measure)
    return measures


def _contacts(child_pk):
    return (
        AssistanceContact.objects.filter(child=child_pk)
        .order_by(F("until").desc(nulls_first=True), "-since", "-pk")
        .values(*_CONTACT.names)
    )


def _contacts_of(child_pk) -> list[AssistanceContact]:
    """The child's assistance contacts, current ones (no end) first, then the latest."""
    query = prepared("relief.child_contacts", _contacts, sentinel_id(), model=AssistanceContact)
    alias = router.db_for_read(AssistanceContact)
    return [_CONTACT.build(row, alias) for row in query.run(child_pk)]


def _back_to_child(child):
    return redirect("relief:child_section", child_pk=child.pk)


def _added(request, child_pk, form_of, add, done: str, template: str, prepare=None):
    """A page that adds a measure or a contact to an open record: `form_of(child)` is its
    form, `add(child, form)` the service call, `done` what is said once it went through;
    `prepare(child)` runs before the empty form is shown."""
    child = child_or_404(request, child_pk)
    _require_write(request.user)
    if child.status != ChildStatus.ACTIVE:
        messages.error(request, _("This record is closed: reopen it before adding relief."))
        return redirect("children:detail", pk=child.pk)
    if request.method == "GET" and prepare is not None:
        prepare(child)
    form = form_of(child)
    if saved(request, form, lambda: add(child, form), done):
        return _back_to_child(child)
    return render(request, template, {"form": form, "child": child})


def _ensure_county_catalogue(child, user):
    county = county_of(child.area)
    if county is not None:
        catalogue.ensure_catalogue(county, user)


@route("children/<int:child_pk>/measures/new/")
def measure_new(request, child_pk):
    """Record a relief measure for a child of the user's jurisdiction."""
    return _added(
        request,
        child_pk,
        lambda child: MeasureForm(request.POST or None, child=child, role=request.user.role),
        lambda child, form: services.add_measure(request.user, child, form.measure_data()),
        _("Relief measure recorded."),
        "relief/measure_form.html",
        prepare=lambda child: _ensure_county_catalogue(child, request.user),
    )


def _measure_or_404(request, pk):
    return get_visible_or_404(
        ReliefMeasure.objects.select_related("child__area__parent", "programme__county"),
        request.user,
        pk=pk,
    )


def _edit_page(kind: str):
    """The page that changes a measure or a contact (`kind`, in _EDITS: how it finds the
    record, its form `form_of(request, record)`, whose `<kind>_data()` is the change for the
    service `update`); the template is relief/<kind>_form.html. Once saved, back to the
    child's relief section."""

    def edit(request, pk):
        record_or_404, form_of, update = _EDITS[kind]
        record = record_or_404(request, pk)
        _require_write(request.user)
        form = form_of(request, record)
        if _changed(request, form, update, record, getattr(form, f"{kind}_data")):
            return _back_to_child(record.child)
        context = {"form": form, "child": record.child, kind: record}
        return render(request, f"relief/{kind}_form.html", context)

    edit.__name__ = edit.__qualname__ = f"{kind}_edit"
    return edit


def _measure_form(request, measure):
    return MeasureForm(
        request.POST or None, child=measure.child, measure=measure, role=request.user.role
    )


# The fields a measure's history shows, labelled as the model names them.
@route("measures/<int:pk>/history/")
def measure_history(request, pk):
    """A measure's changes, newest first: who changed what, from what to what."""
    measure = _measure_or_404(request, pk)
    changes = list(measure.changes.all())
    first = earliest_state(services.measure_snapshot(measure), changes)
    return render(
        request,
        "relief/measure_history.html",
        {
            "measure": measure,
            "child": measure.child,
            "changes": changes,
            "first": [
                (MeasureChange.label(name), MeasureChange.shown(name, first.get(name)))
                for name in MeasureChange.shown_fields
            ],
        },
    )


@route("measures/")
@jurisdiction_required
@read_limited
def measure_list(request):
    """Relief measures in the user's jurisdiction: by programme, status, township or village
    (audited)."""
    measures = (
        ReliefMeasure.objects.visible_to(request.user)
        .select_related("child__area", "programme")
        .order_by("-start_month", "-pk")
    )
    measure_filter = MeasureFilter(request.GET, queryset=measures, request=request)
    page = paginate(request, measure_filter.qs)
    audit_page(request, "relief.measure.listed", page)
    context = {
        "filter": measure_filter,
        "page": page,
        "query": query_without_page(request),
    }
    return render_page(
        request, "relief/measures.html", context, "relief/partials/_measure_table.html"
    )


# -- assistance contacts -----------------------------------------------------------------


@route("children/<int:child_pk>/contacts/new/")
def contact_new(request, child_pk):
    """Name an assistance contact for a child."""
    return _added(
        request,
        child_pk,
        lambda child: ContactForm(request.POST or None),
        lambda child, form: services.add_contact(request.user, child, form.contact_data()),
        _("Assistance contact added."),
        "relief/contact_form.html",
    )


def _contact_or_404(request, pk):
    return get_visible_or_404(
        AssistanceContact.objects.select_related("child__area__parent"), request.user, pk=pk
    )


def _contact_form(request, contact):
    return ContactForm(request.POST or None, contact=contact)


# The pages that change a measure or a contact: how each finds its record, its form and the
# service that saves the change.
_EDITS = {
    "measure": (_measure_or_404, _measure_form, services.update_measure),
    "contact": (_contact_or_404, _contact_form, services.update_contact),
}
# Change a measure (status, amount, months); the version before is kept.
measure_edit = route("measures/<int:pk>/edit/")(_edit_page("measure"))
# Correct a contact's details.
contact_edit = route("contacts/<int:pk>/edit/")(_edit_page("contact"))


@route("contacts/<int:pk>/end/")
def contact_end(request, pk):
    """A contact stops being answerable for the child (kept in the child's history)."""
    contact = _contact_or_404(request, pk)
    _require_write(request.user)
    if not contact.is_current:
        messages.info(request, _("This contact has already ended."))
        return _back_to_child(contact.child)
    form = EndContactForm(request.POST or None, contact=contact)
    if saved(
        request,
        form,
        lambda: services.end_contact(
            request.user,
            contact,
            form.cleaned_data["until"],
            based_on=form.cleaned_data["based_on"],
        ),
        _("The contact has ended."),
    ):
        return _back_to_child(contact.child)
    child = contact.child
    section = reverse("relief:child_section", args=[child.pk])
    return form_page(
        request,
        form,
        f"{_('End an assistance contact')} · {child.name}",
        crumbs=[(reverse("children:detail", args=[child.pk]), child.name), (section, _("Relief"))],
        crumb=contact.name,
        template="relief/contact_end.html",
        contact=contact,
        note=_("The child should have another contact: add one on the child's relief page."),
        cancel_url=section,
        submit_label=_("End the contact"),
        form_testid="contact-end-form",
        submit_testid="save",
    )
