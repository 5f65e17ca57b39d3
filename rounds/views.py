"""Pages of the quarterly round. Thin: access, one service call, response."""

from collections import Counter, defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.codes import Level
from areas.models import Area
from areas.services import county_of_user
from children.models import Child
from core.forms import refusal_message, save_through
from core.htmx import paginate, query_without_page, render_page
from core.reads import audit_page
from core.routes import Routes
from core.scoping import get_visible_or_404, jurisdiction_prefix, jurisdiction_required
from core.views import form_page

from . import figures, services
from .forms import NoteForm, OpenRoundForm, ReviewForm, SendBackForm
from .models import ReturnState, Round, SummaryState, TownshipSummary, VillageReturn

route = Routes()

STATES = list(ReturnState)


def _round_or_404(request, pk):
    return get_object_or_404(Round.objects.visible_to(request.user).select_related("county"), pk=pk)


def _return_or_404(request, pk):
    return get_visible_or_404(
        VillageReturn.objects.select_related("round", "round__county", "area", "area__parent"),
        request.user,
        pk=pk,
    )


@route("", name="list")
@jurisdiction_required
def round_list(request):
    """The county's rounds, newest first, with where each stands."""
    rounds = Round.objects.visible_to(request.user).select_related("county")
    visible = VillageReturn.objects.visible_to(request.user)
    by_round = defaultdict(Counter)
    for round_id, state, n in (
        visible.filter(round__in=rounds).values_list("round_id", "state").annotate(n=Count("pk"))
    ):
        by_round[round_id][state] = n
    page = paginate(request, rounds)
    for item in page:
        counts = by_round[item.pk]
        item.counts = [(state, counts.get(state.value, 0)) for state in STATES]
        item.villages = sum(counts.values())
    own = None
    if getattr(request.user, "area", None) is not None and request.user.area.level == Level.VILLAGE:
        own = visible.filter(round__state=Round.State.OPEN).select_related("round").first()
    county = county_of_user(request.user)
    return render(
        request,
        "rounds/round_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "own_return": own,
            "may_open": county is not None and services.may_run_rounds(request.user, county),
        },
    )


@route("open/", name="open")
def open_round(request):
    """A county officer opens the round of a quarter."""
    county = county_of_user(request.user)
    if county is None or not services.may_run_rounds(request.user, county):
        raise PermissionDenied
    form = OpenRoundForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        new_round = save_through(
            form, lambda: services.open_round(request.user, county, **form.cleaned_data)
        )
        if new_round:
            messages.success(
                request,
                _("Round %(label)s is open: %(n)s villages have a return to fill in.")
                % {"label": new_round.label, "n": new_round.returns.count()},
            )
            return redirect("rounds:detail", pk=new_round.pk)
    return render(request, "rounds/open.html", {"form": form, "county": county})


@route("<int:pk>/", name="detail")
def round_detail(request, pk):
    """The round's progress across townships (county), or the way into one's own part."""
    the_round = _round_or_404(request, pk)
    area = request.user.area
    if area.level == Level.VILLAGE:
        ret = get_object_or_404(VillageReturn, round=the_round, area=area)
        return redirect("rounds:return", pk=ret.pk)
    if area.level == Level.TOWNSHIP:
        return redirect("rounds:township", pk=the_round.pk, code=area.code)
    returns = VillageReturn.objects.visible_to(request.user).filter(round=the_round)
    per_township = defaultdict(Counter)
    for parent_id, state, n in returns.values_list("area__parent_id", "state").annotate(
        n=Count("pk")
    ):
        per_township[parent_id][state] = n
    townships = Area.objects.filter(pk__in=per_township).order_by("code")
    summaries = {s.area_id: s for s in the_round.summaries.select_related("submitted_by")}
    rows = []
    for township in townships:
        counts = per_township[township.pk]
        rows.append(
            {
                "area": township,
                "counts": [(state, counts.get(state.value, 0)) for state in STATES],
                "villages": sum(counts.values()),
                "approved": counts.get(ReturnState.APPROVED.value, 0),
                "summary": summaries.get(township.pk),
            }
        )
    context = {
        "round": the_round,
        "rows": rows,
        "totals": services.state_counts(returns),
        "summaries_in": sum(s.state == SummaryState.SUBMITTED for s in summaries.values()),
        "may_close": the_round.is_open and services.may_run_rounds(request.user, the_round.county),
        "overdue": the_round.is_open and the_round.due_on < timezone.localdate(),
    }
    return render(request, "rounds/round_detail.html", context)


@route("<int:pk>/townships/<str:code>/")
def township(request, pk, code):
    """A township's villages in the round, their states, and its summary."""
    the_round = _round_or_404(request, pk)
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, code=code)
    if area.level != Level.TOWNSHIP:
        raise Http404
    returns = services.with_progress(
        VillageReturn.objects.filter(round=the_round, area__parent=area)
        .select_related("area", "submitted_by", "reviewed_by")
        .order_by("area__code")
    )
    summary = (
        TownshipSummary.objects.filter(round=the_round, area=area)
        .select_related("submitted_by", "returned_by")
        .first()
    )
    found = Counter(ret.state for ret in returns)
    counts = {state: found.get(state.value, 0) for state in STATES}
    all_approved = bool(returns) and counts[ReturnState.APPROVED] == len(returns)
    context = {
        "round": the_round,
        "area": area,
        "returns": returns,
        "counts": counts,
        "summary": summary,
        "may_review": services.may_review(request.user, area),
        "may_submit": the_round.is_open
        and (summary is None or summary.state == SummaryState.RETURNED)
        and all_approved
        and services.may_review(request.user, area),
        "form": NoteForm(),
        "may_send_back": summary is not None
        and summary.state == SummaryState.SUBMITTED
        and the_round.is_open
        and services.may_run_rounds(request.user, the_round.county),
        "county_visible": Round.objects.visible_to(request.user).exists()
        and len(jurisdiction_prefix(request.user) or "") <= 6,
    }
    return render(request, "rounds/township.html", context)


def _take_step(request, call, done) -> None:
    """A workflow step from a button: the service's refusal, or `done`, as the page's message."""
    refusal = refusal_message(call)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, done)


@route("<int:pk>/townships/<str:code>/submit/")
@require_POST
def township_submit(request, pk, code):
    the_round = _round_or_404(request, pk)
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    _take_step(
        request,
        lambda: services.submit_township(request.user, the_round, area, note),
        _("The township's summary is submitted to the county."),
    )
    return redirect("rounds:township", pk=the_round.pk, code=area.code)


@route("<int:pk>/townships/<str:code>/send-back/")
def township_send_back(request, pk, code):
    """The county sends a township's submitted summary back, saying what to correct."""
    the_round = _round_or_404(request, pk)
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    summary = TownshipSummary.objects.filter(round=the_round, area=area).first()
    if area.level != Level.TOWNSHIP or summary is None:
        raise Http404
    if not services.may_send_back(request.user, summary):
        raise PermissionDenied
    township_url = reverse("rounds:township", args=[the_round.pk, area.code])
    if summary.state != SummaryState.SUBMITTED or not the_round.is_open:
        messages.error(request, _("Only a submitted summary can be sent back."))
        return redirect(township_url)
    form = SendBackForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_through(
            form,
            lambda: services.send_back_township(request.user, summary, form.cleaned_data["reason"]),
        )
    ):
        messages.success(request, _("The summary is sent back to the township."))
        return redirect(township_url)
    return form_page(
        request,
        form,
        f"{_('Send the summary back')} · {area.name}",
        crumbs=[(reverse("rounds:detail", args=[the_round.pk]), the_round.title)],
        crumb=area.name,
        lead=_("The township's supervisors and staff are told, and submit it again."),
        cancel_url=township_url,
        submit_label=_("Send back"),
        form_testid="send-back-form",
        submit_testid="send-back",
    )


@route("<int:pk>/close/")
@require_POST
def close(request, pk):
    the_round = _round_or_404(request, pk)
    _take_step(
        request, lambda: services.close_round(request.user, the_round), _("The round is closed.")
    )
    return redirect("rounds:detail", pk=the_round.pk)


WALK_PER_PAGE = 100
# The walk's filter: kept through every check, undo and return from the registry's forms.
WALK_FILTERS = {"show": {"unchecked"}}


def _walk_query(params, **extra) -> str:
    """The walk's filter from `params` (GET or POST) as a query string, plus `extra`."""
    query = QueryDict(mutable=True)
    for name, allowed in WALK_FILTERS.items():
        if params.get(name) in allowed:
            query[name] = params[name]
    for name, value in extra.items():
        if value is not None:
            query[name] = str(value)
    return query.urlencode()


def _position(params) -> int | None:
    """The walk position `at` a child was acted on, or None (missing or malformed)."""
    value = params.get("at", "")
    # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else None


def _walk_context(request, ret, params=None):
    """The walk with its filter (from `params`, the GET by default). When the request says
    at which position a child was just acted on (`at`), the next unchecked child of the same
    filter is shown (its page) and focused."""
    params = request.GET if params is None else params
    checks = {c.child_id: c for c in ret.checks.select_related("checked_by")}
    children = services.roster(ret).order_by("village_group", "name_pinyin", "pk")
    show = params.get("show", "") if params.get("show") in WALK_FILTERS["show"] else ""
    if show == "unchecked":
        children = children.exclude(pk__in=list(checks))
    at = _position(params)
    focus = None
    page_number = params.get("page")
    if at is not None:
        order = list(children.values_list("pk", flat=True))
        focus = services.next_to_check(order, set(checks), at)
        if focus is not None:
            page_number = order.index(focus) // WALK_PER_PAGE + 1
    page = Paginator(children, WALK_PER_PAGE).get_page(page_number)
    walk_url = reverse("rounds:return", args=[ret.pk])
    for index, child in enumerate(page, start=page.start_index() - 1):
        child.check = checks.get(child.pk)
        child.position = index
        # Back here after the registry's form, at this child's place in the walk.
        child.return_url = f"{walk_url}?{_walk_query(params, at=index)}"
    closed = [c for c in checks.values() if c.outcome == c.Outcome.CLOSED]
    closed_names = dict(
        Child.objects.filter(pk__in=[c.child_id for c in closed]).values_list("pk", "name")
    )
    filter_query = _walk_query(params)
    return {
        "ret": ret,
        "page": page,
        "query": filter_query,
        "show": show,
        "focus": focus,
        "progress": services.progress(ret),
        "closed": [(c, closed_names.get(c.child_id, "")) for c in closed],
        "events": ret.events.select_related("actor"),
        "may_fill": ret.is_editable and services.may_fill(request.user, ret),
        "may_review": ret.state == ReturnState.SUBMITTED
        and ret.round.is_open
        and services.may_review(request.user, ret.area),
        "here_url": f"{walk_url}?{filter_query}" if filter_query else walk_url,
    }


@route("returns/<int:pk>/", name="return")
def village_return(request, pk):
    """The village's walk through its roster: check each child, then submit."""
    ret = _return_or_404(request, pk)
    if services.may_fill(request.user, ret):
        services.sync_checks(ret)
        ret.refresh_from_db()
    context = _walk_context(request, ret)
    # The walk lists the village's children: a read of children's data, audited by page.
    audit_page(request, "children.child.listed", context["page"], area_code=ret.area.code, obj=ret)
    return render_page(request, "rounds/return.html", context, partial="rounds/partials/_walk.html")


@route("returns/<int:pk>/children/<int:child_pk>/")
@require_POST
def check(request, pk, child_pk):
    """Confirm one child unchanged (or take a check back), then show the walk again with its
    filter and the next unchecked child at hand; htmx swaps the walk in place."""
    ret = _return_or_404(request, pk)
    child = get_object_or_404(services.roster(ret), pk=child_pk)
    if request.POST.get("action") == "uncheck":
        refusal = refusal_message(lambda: services.uncheck_child(request.user, ret, child))
    else:
        note = request.POST.get("note", "")
        refusal = refusal_message(lambda: services.check_child(request.user, ret, child, note))
    if refusal:
        messages.error(request, refusal)
    ret.refresh_from_db()
    context = _walk_context(request, ret, request.POST)
    if request.headers.get("HX-Request") == "true":
        # The walk, and the state in the page's title out of band (not started → in progress).
        return render(request, "rounds/partials/_walk.html", {**context, "oob": True})
    url = reverse("rounds:return", args=[ret.pk])
    query = _walk_query(request.POST, at=_position(request.POST))
    anchor = f"#child-{context['focus']}" if context["focus"] else ""
    return redirect(f"{url}?{query}{anchor}" if query else f"{url}{anchor}")


@route("returns/<int:pk>/submit/")
@require_POST
def submit(request, pk):
    ret = _return_or_404(request, pk)
    _take_step(
        request,
        lambda: services.submit_return(request.user, ret),
        _("Submitted to the township for review."),
    )
    return redirect("rounds:return", pk=ret.pk)


@route("returns/<int:pk>/review/")
def review(request, pk):
    """The township sees what changed since the last approved quarter, then decides."""
    ret = _return_or_404(request, pk)
    may_review = services.may_review(request.user, ret.area)
    form = ReviewForm(request.POST or None, may_approve=services.may_approve(request.user, ret))
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied
        if ret.state != ReturnState.SUBMITTED or not ret.round.is_open:
            messages.error(request, _("Only a submitted return can be reviewed."))
            return redirect("rounds:review", pk=ret.pk)
        if form.is_valid():
            decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
            step = (
                services.approve_return if decision == "approve" else services.return_for_correction
            )
            if save_through(form, lambda: step(request.user, ret, comment)):
                if decision == "approve":
                    messages.success(request, _("Approved. The village's quarter is frozen."))
                else:
                    messages.success(request, _("Returned to the village with your comment."))
                return redirect("rounds:township", pk=ret.round.pk, code=ret.area.parent.code)
    context = {
        "ret": ret,
        "diff": services.differences(ret),
        "form": form,
        "progress": services.progress(ret),
        "events": ret.events.select_related("actor"),
        "may_decide": may_review and ret.state == ReturnState.SUBMITTED and ret.round.is_open,
    }
    return render(request, "rounds/review.html", context)


@route("figures/<str:code>/", name="figures")
def area_figures(request, code):
    """An area's approved figures, quarter by quarter (summed from village snapshots)."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    quarters = services.quarterly_figures(area)
    return render_page(
        request,
        "rounds/area_figures.html",
        {"area": area, "quarters": quarters, "categories": figures.CATEGORIES},
        partial="rounds/partials/_figures.html",
    )


@route("inbox/")
def inbox(request):
    """What the open round asks of the user now, for the home page (loaded with htmx)."""
    return render(request, "rounds/partials/_inbox.html", services.inbox(request.user))
