"""Care work pages: the director's worklist, visits, activities, compliance."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area, ServicePoint
from children.choices import Status
from children.lookup import child_or_404
from children.models import Child, Concern
from children.views.concerns import for_display
from core.audit import log_action, log_read, read_query
from core.forms import change_form, photos_refused, save_through, saved
from core.htmx import paginate
from core.inboxes import render_inboxes
from core.reads import audit_page, audit_records
from core.routes import Routes
from core.scoping import (
    can_write,
    get_editable_or_404,
    get_visible_or_404,
    jurisdiction_required,
)
from core.throttling import read_limited
from notifications.models import Notification
from people import views as people_views
from people.models import User
from people.roles import Role

from . import compliance as compliance_figures
from . import schedule, services, weekly
from .forms import ActivityForm, VisitForm
from .models import Activity, Photo, Visit

route = Routes()

ASPECT_FIELDS = [f for aspect in Visit.ASPECTS for f in (aspect, f"{aspect}_note")]
# What a worklist row shows besides the schedule's columns (care/partials/_worklist_group.html).
WORKLIST_COLUMNS = ("name", "village_group", "needs_report")
WORKLIST_NAMED = {"area_name": F("area__name")}
WORKLIST_LIMIT = 300  # rows per group for officers whose jurisdiction holds thousands
# What an open concern's row shows (children/partials/_open_concerns.html, for_display's
# steps): its child's name and village and the owner's name, not the other sixty columns of
# the child and twenty of the account (building the query for them cost more than the query,
# on every worklist). A column read that is not here would be a query per row: the bounded
# query count of children/tests/test_concerns.py would fail.
CONCERN_ROW_FIELDS = (
    "state",
    "finding",
    "urgency",
    "safety",
    "must_report",
    "reported_on",
    "opened_on",
    "due_on",
    "proposed_by",
    "child__name",
    "child__area__name",
    "owner__name",
    "owner__username",
)


@login_required
def home(request):
    """A director's home is the worklist, a helper's their paired children; everyone else
    sees the jurisdiction's summary."""
    if request.user.role == Role.DIRECTOR:
        return worklist(request)
    if request.user.role in (Role.VOLUNTEER, Role.SOCIAL_WORKER):
        return redirect("social:my_children")  # helpers see only their paired children
    return people_views.home(request)


@route("worklist/")
def worklist(request):
    """Whom to visit: overdue first, then due this week, then the rest of the period.

    It is a village's list, the director's; above a village the compliance pages show who
    is overdue, by village and director.
    """
    if getattr(request.user.area, "level", None) != "village":
        return redirect("care:compliance_root")
    today = timezone.localdate()
    # Only what the schedule and the list show, as plain rows: a whole record (sixty
    # columns, an encrypted identity number) per child cost more than the query.
    children = Child.objects.visible_to(request.user).active()
    groups = schedule.worklist(children, today, WORKLIST_COLUMNS, WORKLIST_NAMED)
    concerns = (
        Concern.objects.visible_to(request.user)
        .open()
        .select_related("child", "child__area", "owner")
        .only(*CONCERN_ROW_FIELDS)
        .order_by("opened_on", "pk")
    )
    context = {
        "concerns": for_display(concerns[:WORKLIST_LIMIT], request.user, today),
        "today": today,
        "overdue": groups[schedule.OVERDUE][:WORKLIST_LIMIT],
        "due_soon": groups[schedule.DUE_SOON][:WORKLIST_LIMIT],
        "later": groups[schedule.LATER][:WORKLIST_LIMIT],
        "done_count": len(groups[schedule.DONE]),
        "counts": {state: len(items) for state, items in groups.items()},
        "unread": Notification.objects.for_user(request.user).filter(read=False).count(),
        "inboxes": render_inboxes(request),
    }
    shown = [i.child.pk for key in ("overdue", "due_soon", "later") for i in context[key]]
    log_read(
        request.user,
        "care.worklist.listed",
        read_query(request.GET),
        len(shown),
        ids=shown,
        via="page",
        budget=False,  # the village's own to-do list
    )
    return render(request, "care/worklist.html", context)


@route("children/<int:child_pk>/visit/")
def visit_new(request, child_pk):
    """Record a visit to a child of the user's jurisdiction (active records only)."""
    child = child_or_404(request, child_pk)
    if not can_write(request.user):
        raise PermissionDenied
    if child.status != Status.ACTIVE:
        messages.error(request, _("This record is closed: reopen it before recording a visit."))
        return redirect("children:detail", pk=child.pk)
    form = VisitForm(request.POST or None, request.FILES or None)
    visit = (
        form.is_valid()
        and not photos_refused(form, request)
        and save_through(
            form,
            lambda: services.record_visit(
                request.user, child, form.visit_data(), photos=form.cleaned_data["photos"]
            ),
        )
    )
    if visit:
        visit.child.refresh_from_db()
        for level, text in services.visit_outcome(visit):
            messages.add_message(request, level, text)
        return redirect("care:worklist")
    return render(
        request,
        "care/visit_form.html",
        {"form": form, "child": child, "aspect_fields": ASPECT_FIELDS},
    )


@route("visits/<int:pk>/")
def visit_detail(request, pk):
    visit = get_visible_or_404(
        Visit.objects.select_related("child", "visitor", "area"), request.user, pk=pk
    )
    log_action(request.user, "care.visit.read", visit, {"child": visit.child_id})
    return render(
        request,
        "care/visit_detail.html",
        {
            "visit": visit,
            "revisions": visit.changes.all()[:20],
            "can_write": can_write(request.user),
        },
    )


@route("visits/<int:pk>/edit/")
def visit_edit(request, pk):
    """Correct a visit; the earlier version is kept and a stale save is refused."""
    visit = get_editable_or_404(Visit.objects.select_related("child"), request.user, pk=pk)
    form = change_form(VisitForm, request, visit)
    if saved(request, form, lambda: services.correct_visit(request.user, visit, form.visit_data())):
        return redirect("care:visit_detail", pk=visit.pk)
    return render(
        request,
        "care/visit_form.html",
        {"form": form, "child": visit.child, "visit": visit, "aspect_fields": ASPECT_FIELDS},
    )


@route("children/<int:child_pk>/visits/")
@read_limited
def child_visits(request, child_pk):
    """All visits to one child (the list's read audited)."""
    child = child_or_404(request, child_pk)
    visits = Visit.objects.visible_to(request.user).filter(child=child).select_related("visitor")
    visits = list(visits[:200])
    audit_records(request, "care.visit.listed", visits, obj=child, child=child.pk)
    return render(request, "care/child_visits.html", {"child": child, "visits": visits})


@route("activities/")
@jurisdiction_required
def activities(request):
    """Weekly activities of the children's homes in the user's jurisdiction: the last 12 ISO
    weeks per home, the current streak and the missed weeks, then the latest records."""
    today = timezone.localdate()
    homes = ServicePoint.objects.visible_to(request.user).homes().select_related("area")
    page = paginate(request, homes.order_by("area__code"), per_page=50)
    rows = weekly.home_weeks(page.object_list, today)
    latest = (
        Activity.objects.visible_to(request.user)
        .select_related("home")
        .order_by("-held_on", "-id")[:20]
    )
    return render(
        request,
        "care/activities.html",
        {
            "page": page,
            "rows": rows,
            "latest": latest,
            "query": "",
            "weeks": weekly.weeks_back(today, 12),
            "can_write": can_write(request.user),
        },
    )


@route("activities/new/")
def activity_new(request):
    """Record an activity at a children's home."""
    if not can_write(request.user):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, request.FILES or None, actor=request.user)
    if (
        form.is_valid()
        and not photos_refused(form, request)
        and save_through(
            form,
            lambda: services.record_activity(
                request.user, *form.activity_parts(), photos=form.cleaned_data["photos"]
            ),
        )
    ):
        for level, text in services.activity_outcome():
            messages.add_message(request, level, text)
        return redirect("care:activities")
    return render(request, "care/activity_form.html", {"form": form})


@route("compliance/")
def compliance_root(request):
    if request.user.area is None or Child.objects.visible_to(request.user).query.is_empty():
        return render(request, "people/no_jurisdiction.html")
    return redirect("care:compliance", code=request.user.area.code)


@route("compliance/<str:code>/")
def compliance(request, code):
    """Visit and activity compliance of an area, unit by unit, drilling down to villages;
    at a village, the children by state."""
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, code=code)
    today = timezone.localdate()
    rows, total = compliance_figures.visit_rows(area)
    context = {
        "area": area,
        "rows": rows,
        "below_level": rows[0]["area"].get_level_display() if rows else "",
        "total": total,
        "today": today,
        "activities": compliance_figures.activity_summary(area, today),
        # Link up to the parent area only when the user may see it (a director may not).
        "parent_visible": area.parent_id is not None
        and Area.objects.visible_to(request.user).filter(pk=area.parent_id).exists(),
    }
    if area.level == "village" or (area.level == "township" and request.GET.get("list")):
        children = Child.objects.within(area.prefix).active().select_related("area")
        groups = schedule.worklist(children, today)
        context["overdue"] = groups[schedule.OVERDUE][:WORKLIST_LIMIT]
        context["overdue_truncated"] = len(groups[schedule.OVERDUE]) > WORKLIST_LIMIT
        context["overdue_limit"] = WORKLIST_LIMIT
        directors = {}
        for user in User.objects.directors().within(area.prefix):
            directors.setdefault(user.area_id, []).append(user)
        by_village = {}
        for item in context["overdue"]:
            by_village.setdefault(item.child.area, []).append(item)
        context["overdue_by_village"] = [
            {"village": village, "directors": directors.get(village.pk, []), "items": items}
            for village, items in sorted(by_village.items(), key=lambda kv: kv[0].code)
        ]
    return render(request, "care/compliance.html", context)


FIGURE_LABELS = {
    "special": gettext_lazy("special-attention children"),
    "special_visited": gettext_lazy("special-attention children visited this month"),
    "special_not_visited": gettext_lazy("special-attention children not yet visited this month"),
    "special_overdue": gettext_lazy("special-attention children overdue"),
    "ordinary": gettext_lazy("ordinary children"),
    "ordinary_visited": gettext_lazy("ordinary children visited this year"),
    "ordinary_not_visited": gettext_lazy("ordinary children not yet visited this year"),
    "ordinary_overdue": gettext_lazy("ordinary children overdue"),
}


@route("compliance/<str:code>/children/<str:figure>/")
@read_limited
def compliance_children(request, code, figure):
    """The children behind one figure of the compliance page (same definition as the count)."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    if figure not in compliance_figures.FIGURES:
        raise Http404
    today = timezone.localdate()
    children = (
        compliance_figures.annotated_children(area, today)
        .filter(compliance_figures.figure_filters(today)[figure])
        .select_related("area")
        .order_by("area__code", "name_pinyin")
    )
    page = paginate(request, children)
    audit_page(
        request,
        "care.compliance.listed",
        page,
        obj=area,
        area_code=area.code,
        title=str(FIGURE_LABELS[figure]),
    )
    return render(
        request,
        "care/compliance_children.html",
        {"area": area, "page": page, "query": "", "title": FIGURE_LABELS[figure]},
    )


@route("compliance/<str:code>/homes/<int:year>-W<int:week>/")
def compliance_homes(request, code, year, week):
    """The children's homes under an area with and without an activity in one ISO week."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise Http404 from exc
    homes = ServicePoint.objects.within(area.prefix).homes().select_related("area")
    held = set(
        Activity.objects.within(area.prefix)
        .filter(held_on__gte=monday, held_on__lte=monday + dt.timedelta(days=6))
        .values_list("home_id", flat=True)
    )
    rows = [{"home": h, "held": h.pk in held} for h in homes.order_by("area__code")]
    rows.sort(key=lambda r: r["held"])  # homes without an activity first
    return render(
        request,
        "care/compliance_homes.html",
        {"area": area, "rows": rows, "year": year, "week": week},
    )


@route("activities/<int:pk>/edit/")
def activity_edit(request, pk):
    """Correct an activity; the earlier version is kept and a stale save is refused."""
    activity = get_editable_or_404(Activity.objects.select_related("home"), request.user, pk=pk)
    form = change_form(ActivityForm, request, activity, actor=request.user)
    if saved(
        request,
        form,
        lambda: services.correct_activity(
            request.user, activity, *form.activity_parts(), based_on=form.cleaned_data["based_on"]
        ),
    ):
        return redirect("care:activities")
    return render(
        request,
        "care/activity_form.html",
        {
            "form": form,
            "activity": activity,
            "revisions": activity.changes.all()[:20],
        },
    )


@route("photos/<int:pk>/")
def photo(request, pk):
    """A photo of a visit or an activity, to those who may see its record; each view is
    audited, and it is kept in no cache (neither the browser's nor the service worker's)."""
    photo = get_object_or_404(
        Photo.objects.select_related("visit__area", "activity__home__area"), pk=pk
    )
    records = Visit.objects if photo.visit_id else Activity.objects
    get_visible_or_404(records, request.user, pk=photo.record.pk)
    log_action(
        request.user,
        "care.photo.read",
        photo,
        {"record": photo.record._meta.label_lower, "record_id": photo.record.pk},
    )
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
