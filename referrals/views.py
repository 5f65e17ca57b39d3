"""Pages of referrals: the list (open, overdue, answered…), a referral's page, making one for
a child, recording the answer, withdrawing it, the worklist's inbox and a child's case plan."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from children.choices import Status as ChildStatus
from children.lookup import child_or_404
from children.models import Concern
from core.audit import log_action
from core.forms import save_through
from core.htmx import paginate, query_without_page, render_page
from core.reads import audit_page, audit_records
from core.routes import Routes
from core.scoping import can_write, get_visible_or_404, jurisdiction_required
from core.throttling import read_limited
from core.views import form_page

from . import services, timeline
from .filters import ReferralFilter
from .forms import AnswerForm, ReferralForm, WithdrawForm
from .models import Referral

route = Routes()


def _posted(request):
    """The POST's data for a form, even an empty one (an empty POST shows its errors)."""
    return request.POST if request.method == "POST" else None


LIST_ROWS = ("area__parent", "child", "organisation", "receiver_user", "made_by")


@route("", name="list")
@jurisdiction_required
@read_limited
def referral_list(request):
    """The jurisdiction's referrals: open ones by default, the longest overdue first;
    filtered by state and receiver, paginated, audited."""
    referrals = Referral.objects.visible_to(request.user).select_related(*LIST_ROWS)
    found = ReferralFilter(request.GET, queryset=referrals)
    rows = found.qs if found.is_valid() else referrals.none()
    page = paginate(request, rows.order_by("state", "due_on", "pk"))
    audit_page(request, "referrals.referral.listed", page)
    context = {
        "filter": found,
        "page": page,
        "query": query_without_page(request),
        "today": services.today(),
    }
    response = render_page(request, "referrals/list.html", context, "referrals/partials/_list.html")
    if not found.is_valid():
        response.status_code = 400
    return response


def _referral_or_404(request, pk) -> Referral:
    return get_visible_or_404(
        Referral.objects.select_related(*LIST_ROWS, "report", "concern", "answered_by"),
        request.user,
        pk=pk,
    )


@route("<int:pk>/", name="detail")
def referral_detail(request, pk):
    """A referral: to whom, why, by when, and the answer; reading it is audited."""
    referral = _referral_or_404(request, pk)
    log_action(request.user, "referrals.referral.read", referral, {"child": referral.child_id})
    context = {
        "referral": referral,
        "handles": referral.is_open and services.may_handle(request.user, referral),
        "overdue": referral.is_overdue(services.today()),
    }
    return render(request, "referrals/detail.html", context)


@route("children/<int:child_pk>/new/", name="new")
def referral_new(request, child_pk):
    """Refer a child of the user's jurisdiction (for one of its concerns, `?concern=`)."""
    child = child_or_404(request, child_pk)
    if not can_write(request.user):
        raise PermissionDenied
    child_url = reverse("children:detail", args=[child.pk])
    if child.status != ChildStatus.ACTIVE:
        messages.error(request, _("This record is closed: reopen it before referring the child."))
        return redirect(child_url)
    concern = (
        Concern.objects.filter(child=child, pk=request.GET.get("concern")).first()
        if (request.GET.get("concern") or "").isdigit()
        else None
    )
    form = ReferralForm(_posted(request), child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = save_through(
            form, lambda: services.refer(request.user, child, data, concern=concern)
        )
        if referral:
            messages.success(
                request,
                _("Referred. The answer is due by %(day)s.") % {"day": referral.due_on},
            )
            return redirect("referrals:detail", pk=referral.pk)
    return form_page(
        request,
        form,
        f"{_('Refer the child')} · {child.name}",
        crumbs=[(child_url, child.name)],
        crumb=_("Refer the child"),
        lead=concern.finding if concern else None,
        cancel_url=child_url,
        form_testid="referral-form",
        submit_testid="refer",
    )


def _step(request, pk, form_class, call, title, done, **initial):
    """A page that takes one step on an open referral (answer, withdraw) through a form."""
    referral = _referral_or_404(request, pk)
    if not services.may_handle(request.user, referral):
        raise PermissionDenied
    detail_url = reverse("referrals:detail", args=[referral.pk])
    if not referral.is_open:
        messages.error(request, _("This referral is no longer open."))
        return redirect(detail_url)
    form = form_class(_posted(request), initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_through(form, lambda: call(referral, form.cleaned_data))
    ):
        messages.success(request, done)
        return redirect(detail_url)
    return form_page(
        request,
        form,
        f"{title} · {referral.get_kind_display()}",
        crumbs=[(reverse("referrals:list"), _("Referrals")), (detail_url, str(referral))],
        crumb=title,
        cancel_url=detail_url,
        form_testid="referral-step-form",
        submit_testid="save",
    )


@route("<int:pk>/answer/", name="answer")
def referral_answer(request, pk):
    """Record the receiver's answer: the referral leaves the open lists."""
    return _step(
        request,
        pk,
        AnswerForm,
        lambda r, data: services.answer(request.user, r, data["answer"], data["answered_on"]),
        _("Record the answer"),
        _("The answer is recorded."),
        answered_on=services.today(),
    )


@route("<int:pk>/withdraw/", name="withdraw")
def referral_withdraw(request, pk):
    return _step(
        request,
        pk,
        WithdrawForm,
        lambda r, data: services.withdraw(request.user, r, data["reason"]),
        _("Withdraw the referral"),
        _("The referral is withdrawn."),
    )


@route("inbox/")
def inbox(request):
    """Open referrals of the user's jurisdiction: a fragment for the home page (htmx)."""
    return render(request, "referrals/partials/_inbox.html", services.inbox(request.user))


@route("children/<int:child_pk>/plan/", name="case_plan")
def case_plan(request, child_pk):
    """A child's case plan (open concerns, referrals, relief measures … in one timeline):
    a fragment for the child's page (htmx), or a page of its own. Audited like a list."""
    child = child_or_404(request, child_pk)
    entries = timeline.case_plan(child, services.today())
    audit_records(
        request,
        "referrals.case_plan.read",
        [f"{e.part}:{e.pk}" for e in entries],
        obj=child,
        area_code=child.area.code,
    )
    context = {
        "child": child,
        "entries": entries,
        "can_refer": can_write(request.user) and child.status == ChildStatus.ACTIVE,
    }
    return render_page(
        request, "referrals/case_plan.html", context, "referrals/partials/_case_plan.html"
    )
