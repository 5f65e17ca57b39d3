"""Pages of concerns: the list (filters; the dashboards drill down to it), a concern with its
history and the steps the user may take, one page per step (its form, errors by field),
and the fragment of open concerns by age for the home page. Thin: the rules are in
children/policy/concerns.py and the services in children/services/concerns.py."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.codes import CHILD_LEVEL, PREFIX_LENGTH, Level
from areas.models import Area
from core.audit import log_action
from core.forms import save_through
from core.htmx import paginate, query_without_page, render_page
from core.navigation import next_url
from core.reads import audit_page
from core.routes import Routes
from core.scoping import can_write, get_visible_or_404
from core.throttling import read_limited

from ..filters.concerns import ConcernFilter
from ..forms.concerns import FORMS
from ..models import Concern
from ..policy import concerns as policy
from ..services import concerns as services

route = Routes()

Step = policy.Step
LIST_FIELDS = ("child", "child__area", "child__area__parent", "owner")


def _concern_or_404(request, pk):
    return get_visible_or_404(Concern.objects.select_related(*LIST_FIELDS), request.user, pk=pk)


@route("concerns/", name="concerns")
@read_limited
def concern_list(request):
    """Concerns of the user's jurisdiction (open by default), oldest first (audited)."""
    concerns = Concern.objects.visible_to(request.user).select_related(*LIST_FIELDS)
    concern_filter = ConcernFilter(request.GET, queryset=concerns, request=request)
    # A refused filter (an area outside the jurisdiction, an unknown state) lists nothing
    # and says why, as the roster does, instead of silently listing everything.
    valid = concern_filter.is_valid()
    listed = concern_filter.qs if valid else concerns.none()
    page = paginate(request, listed.order_by("opened_on", "pk"))
    audit_page(request, "children.concern.listed", page)
    context = {
        "filter": concern_filter,
        "page": page,
        "query": query_without_page(request),
        "today": timezone.localdate(),
    }
    response = render_page(
        request, "children/concern_list.html", context, "children/partials/_concern_table.html"
    )
    if not valid:
        response.status_code = 400
    return response


@route("concerns/<int:pk>/", name="concern")
def concern_detail(request, pk):
    """A concern: what was found, its source, owner, deadline, state, its history, and the
    steps the user may take."""
    concern = _concern_or_404(request, pk)
    log_action(request.user, "children.concern.read", concern, {"child": concern.child_id})
    steps = services.allowed_steps(request.user, concern) if can_write(request.user) else []
    context = {
        "concern": concern,
        "events": concern.events.all()[:100],
        "steps": [(s, policy.STEP_LABELS[s]) for s in steps],
        "today": timezone.localdate(),
    }
    return render(request, "children/concern_detail.html", context)


def _run(step, user, concern, data):
    """Call the step's service with the form's cleaned data."""
    based_on = data.get("based_on") or None
    if step == Step.TAKE_ACTION:
        return services.take_action(user, concern, data["note"], based_on=based_on)
    if step == Step.RESOLVE:
        return services.resolve(user, concern, data["outcome"], based_on=based_on)
    if step == Step.REFER:
        return services.refer(
            user, concern, data["referred_to"], data["outcome"], based_on=based_on
        )
    if step == Step.CONFIRM:
        return services.confirm(user, concern, data.get("note", ""), based_on=based_on)
    if step == Step.SEND_BACK:
        return services.send_back(user, concern, data["note"], based_on=based_on)
    if step == Step.RECORD_REPORT:
        return services.record_report_made(
            user,
            concern,
            data["reported_to"],
            data["reported_on"],
            data.get("reference", ""),
            based_on=based_on,
        )
    return services.reassign(user, concern, data["owner"], based_on=based_on)


def _done_message(concern, step) -> str:
    if concern.state == policy.State.AWAITING and step in (Step.RESOLVE, Step.REFER):
        return _("Proposed: the township supervisor confirms the closing.")
    if not concern.is_open:
        concern.child.refresh_from_db()
        return _("Closed. The child's care level is now: %(level)s.") % {
            "level": concern.child.get_care_level_display()
        }
    return _("Saved.")


@route("concerns/<int:pk>/<str:step>/")
def concern_step(request, pk, step):
    """One step of a concern: its form (GET), the step taken (POST)."""
    if step not in FORMS:
        raise Http404
    concern = _concern_or_404(request, pk)
    if not can_write(request.user):
        raise PermissionDenied
    if step not in services.allowed_steps(request.user, concern):
        _states, roles = policy.STEPS[step]
        if request.user.role not in roles:
            raise PermissionDenied
        messages.error(request, _("This step cannot be taken now."))
        return redirect("children:concern", pk=concern.pk)
    form_class = FORMS[step]
    kwargs = {"concern": concern}
    if step == Step.REASSIGN:
        kwargs["owners"] = services.owner_choices(concern)
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        taken = save_through(form, lambda: _run(step, request.user, concern, form.cleaned_data))
        if taken is not None:
            concern = taken
            messages.success(request, _done_message(concern, step))
            return redirect(next_url(request) or reverse("children:concern", args=[concern.pk]))
    context = {
        "concern": concern,
        "form": form,
        "step": step,
        "step_label": policy.STEP_LABELS[step],
        "next": request.GET.get("next", ""),
    }
    return render(request, "children/concern_step.html", context)


@route("concerns/open/")
def concern_inbox(request):
    """Open concerns of the jurisdiction by age, and overdue (a fragment for the home page,
    loaded by htmx). Empty for accounts without concerns to see."""
    today = timezone.localdate()
    concerns = Concern.objects.visible_to(request.user).open()
    aggregates = {
        "total": Count("pk"),
        "overdue": Count("pk", filter=Q(due_on__lt=today)),
        "awaiting": Count("pk", filter=Q(state=policy.State.AWAITING)),
    }
    for band, (low, high) in policy.AGE_BANDS.items():
        q = Q(opened_on__lte=today - dt.timedelta(days=low))
        if high is not None:
            q &= Q(opened_on__gte=today - dt.timedelta(days=high))
        aggregates[band] = Count("pk", filter=q)
    counts = concerns.aggregate(**aggregates)
    bands = [(band, policy.AGE_BAND_LABELS[band], counts[band]) for band in policy.AGE_BANDS]
    units = []
    area = getattr(request.user, "area", None)
    below = CHILD_LEVEL.get(getattr(area, "level", ""))
    if counts["total"] and below in (Level.TOWNSHIP, Level.VILLAGE):
        # Above a village: the same figures for each township or village below.
        length = PREFIX_LENGTH[below]
        rows = {
            row.pop("unit"): row
            for row in concerns.annotate(unit=Substr("child__area__code", 1, length))
            .values("unit")
            .annotate(**aggregates)
            .order_by()
        }
        for unit in Area.objects.filter(parent=area).order_by("code"):
            found = rows.get(unit.code[:length])
            if found:
                units.append({"area": unit, **found})
    context = {"counts": counts, "bands": bands, "units": units}
    return render(request, "children/partials/_concern_inbox.html", context)


def for_display(concerns, user, today=None) -> list:
    """Concerns with what their rows show: age in days, overdue, and the steps the user may
    take (no query per row: the steps come from the policy table)."""
    today = today or timezone.localdate()
    writer = can_write(user)
    rows = list(concerns)
    for concern in rows:
        concern.age = concern.age_days(today)
        concern.overdue = concern.is_overdue(today)
        steps = services.allowed_steps(user, concern) if writer else []
        concern.steps = [(s, policy.STEP_LABELS[s]) for s in steps]
    return rows
