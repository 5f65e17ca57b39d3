"""Pages of the register's housekeeping: likely duplicates and their merge, handovers
between counties. Thin: access, form, one service call, response."""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from children.models import Child, Transfer
from children.services import record_read
from core.audit import log_action
from core.forms import refusal_message, save_through
from core.htmx import PAGE_SIZE, paginate
from core.reads import audit_records
from core.routes import Routes
from core.scoping import jurisdiction_prefix, jurisdiction_required
from core.throttling import read_limited
from core.views import form_page

from . import duplicates, policy, services
from .forms import DeclineForm, DistinctForm, MergeForm

route = Routes()


def _keeper(request):
    """Only the county officer keeps the county's register (registry.policy)."""
    if not policy.keeps_register(request.user):
        raise PermissionDenied
    return request.user.jurisdiction_prefix


# -- likely duplicates ---------------------------------------------------------------------


@route("duplicates/")
@read_limited
def duplicate_list(request):
    """The county's likely duplicate records, in pairs, with why each pair matched (audited)."""
    county = _keeper(request)
    pairs = duplicates.likely_duplicates(county)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    duplicates.load(page.object_list)
    shown = [c for p in page.object_list for c in (p.first, p.second)]
    audit_records(request, "registry.duplicates.listed", shown, total=len(pairs))
    return render(request, "registry/duplicates.html", {"page": page, "query": ""})


def _pair(request, first, second):
    county = _keeper(request)
    records = (
        Child.objects.within(county)
        .select_related("area", "area__parent", "merged_into")
        .in_bulk([first, second])
    )
    if first == second or len(records) != 2:
        raise Http404
    return records[first], records[second]


# Figures computed from the records (recomputed after a merge), not records of their own.
DERIVED = {("care", "visitsummary")}


def _described(holds: dict) -> dict:
    """what_points_at's counts under the names of the records ("visits": 3)."""
    described = {}
    for key, count in holds.items():
        app_label, model_name, field = key.split(".")
        if (app_label, model_name) in DERIVED:
            continue
        if (model_name, field) == ("child", "siblings"):
            label = Child.siblings.field.verbose_name
        else:
            label = apps.get_model(app_label, model_name)._meta.verbose_name_plural
        described[str(label)] = described.get(str(label), 0) + count
    return described


@route("duplicates/<int:first>/<int:second>/")
def pair(request, first, second):
    """Two records side by side, what each has, and the two answers: merge, or two children."""
    a, b = _pair(request, first, second)
    for child in (a, b):
        record_read(request.user, child, via="duplicates")
    context = {
        "a": a,
        "b": b,
        "reasons": [str(policy.RULES[r]) for r in duplicates.are_likely_duplicates(a, b)],
        "holds_a": _described(services.what_points_at(a)),
        "holds_b": _described(services.what_points_at(b)),
        "merge_form": MergeForm(first=a, second=b),
        "distinct_form": DistinctForm(),
    }
    return render(request, "registry/pair.html", context)


@route("duplicates/<int:first>/<int:second>/merge/")
@require_POST
def merge(request, first, second):
    """Merge one record of the pair into the other (the officer chooses which is kept)."""
    a, b = _pair(request, first, second)
    form = MergeForm(request.POST, first=a, second=b)
    if form.is_valid():
        kept, merged = (a, b) if form.cleaned_data["keep"] == a.pk else (b, a)
        if save_through(form, lambda: services.merge(request.user, kept, merged)) is not None:
            messages.success(
                request, _("Record #%(merged)s was merged into this one.") % {"merged": merged.pk}
            )
            return redirect("children:detail", pk=kept.pk)
    context = {
        "a": a,
        "b": b,
        "reasons": [str(policy.RULES[r]) for r in duplicates.are_likely_duplicates(a, b)],
        "holds_a": _described(services.what_points_at(a)),
        "holds_b": _described(services.what_points_at(b)),
        "merge_form": form,
        "distinct_form": DistinctForm(),
    }
    return render(request, "registry/pair.html", context, status=400)


@route("duplicates/<int:first>/<int:second>/distinct/")
@require_POST
def distinct(request, first, second):
    """The two records are two children: the pair stops showing."""
    a, b = _pair(request, first, second)
    form = DistinctForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.mark_distinct(request.user, a, b, note)
    messages.success(request, _("Marked as two different children."))
    return redirect("registry:duplicate_list")


# -- handovers between counties ------------------------------------------------------------


def _handovers(user):
    return (
        Transfer.objects.visible_to(user)
        .exclude(state=Transfer.State.DONE)
        .select_related("child", "from_area__parent", "to_area__parent", "actor", "decided_by")
    )


@route("handovers/")
@jurisdiction_required
def handover_list(request):
    """Handovers of children to and from other counties: waiting ones first. The sending
    side keeps the line (who, when, to where, state), not the record once it is accepted."""
    waiting_last = Case(When(state=Transfer.State.PENDING, then=Value(0)), default=Value(1))
    items = _handovers(request.user).order_by(waiting_last, "-at", "-pk")
    page = paginate(request, items)
    prefix = jurisdiction_prefix(request.user)
    for t in page.object_list:
        t.incoming = t.to_area.code.startswith(prefix)
        t.decides = services.may_decide(request.user, t)
    # The lines name children: audited like every list of children's data.
    audit_records(request, "registry.transfer.listed", page.object_list, total=page.paginator.count)
    return render(request, "registry/handovers.html", {"page": page, "query": ""})


def _handover(request, pk) -> Transfer:
    transfer = _handovers(request.user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


@route("handovers/<int:pk>/")
def handover(request, pk):
    """One handover: its line, and for the receiving county's officer while it waits the
    child's particulars to decide on (audited), with accept and decline."""
    transfer = _handover(request, pk)
    decides = services.may_decide(request.user, transfer)
    if decides:
        log_action(
            request.user,
            "registry.transfer.read",
            transfer,
            {"child": transfer.child_id},
            area_code=transfer.to_area.code,
        )
    context = {
        "transfer": transfer,
        "decides": decides,
        # The record itself is open to whoever's jurisdiction holds the child now.
        "child_visible": Child.objects.visible_to(request.user)
        .filter(pk=transfer.child_id)
        .exists(),
    }
    return render(request, "registry/handover.html", context)


@route("handovers/<int:pk>/accept/")
@require_POST
def handover_accept(request, pk):
    """The receiving county accepts: the child moves, with its history."""
    transfer = _handover(request, pk)
    refused = refusal_message(lambda: services.accept_handover(request.user, transfer))
    if refused:
        messages.error(request, refused)
        return redirect("registry:handover", pk=transfer.pk)
    messages.success(request, _("Accepted: the child is registered in your county now."))
    return redirect("children:detail", pk=transfer.child_id)


@route("handovers/<int:pk>/decline/")
def handover_decline(request, pk):
    """The receiving county declines, with a reason; the child stays where it was."""
    transfer = _handover(request, pk)
    if not services.may_decide(request.user, transfer):
        raise PermissionDenied
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = save_through(
            form,
            lambda: services.decline_handover(request.user, transfer, form.cleaned_data["reason"]),
        )
        if done is not None:
            messages.success(request, _("Declined."))
            return redirect("registry:handover_list")
    back = reverse("registry:handover", args=[transfer.pk])
    return form_page(
        request,
        form,
        _("Decline the handover"),
        crumbs=[(reverse("registry:handover_list"), _("Handovers")), (back, transfer.child.name)],
        submit_label=_("Decline"),
        cancel_url=back,
    )
