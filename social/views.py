"""Pages of social forces: the organisations and helpers of a county, pairings and service
records on a child's page, and a helper's own pages (their paired children, and of each only
what the help needs)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.services import county_of, county_of_user
from children.choices import Status as ChildStatus
from children.lookup import child_or_404
from children.services import record_read
from core.forms import change_form, change_through, save_through, saved
from core.htmx import paginate, query_without_page, render_page, search_text
from core.routes import Routes
from core.scoping import can_manage, get_visible_or_404, jurisdiction_required
from core.views import form_page, register_form_page
from people.models import User
from people.roles import HELPER_ROLES, is_helper

from . import services
from .forms import (
    EndPairingForm,
    HelperProfileForm,
    OrganisationForm,
    PairingForm,
    ServiceRecordForm,
)
from .models import (
    Organisation,
    Pairing,
    ServiceRecord,
    notes_visible_to,
)

route = Routes()

# -- organisations -------------------------------------------------------------------------


@route("organisations/")
@jurisdiction_required
def organisations(request):
    """The county's social organisations, searchable."""
    found = (
        Organisation.objects.visible_to(request.user)
        .select_related("county")
        .prefetch_related("areas")
    )
    query = search_text(request)
    if query:
        found = found.filter(Q(name__icontains=query) | Q(registration_number__icontains=query))
    context = {
        "page": paginate(request, found.order_by("name")),
        "q": query,
        "query": query_without_page(request),
        "can_edit": can_manage(request.user) and county_of_user(request.user) is not None,
    }
    return render_page(
        request, "social/organisations.html", context, "social/partials/_organisations.html"
    )


@route("organisations/new/")
def organisation_new(request):
    county = county_of_user(request.user)
    if not can_manage(request.user) or county is None:
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, county=county)
    if saved(
        request,
        form,
        lambda: services.add_organisation(request.user, county, form.organisation_data()),
        _("Organisation added."),
    ):
        return redirect("social:organisations")
    return _organisation_page(request, form, None)


@route("organisations/<int:pk>/edit/")
def organisation_edit(request, pk):
    """Change an organisation of the register; a save based on a stale copy is refused."""
    organisation = get_visible_or_404(
        Organisation.objects.select_related("county"), request.user, pk=pk
    )
    if not Organisation.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = change_form(OrganisationForm, request, organisation)
    if saved(
        request,
        form,
        lambda: change_through(
            form, services.update_organisation, request.user, organisation, form.organisation_data()
        ),
    ):
        return redirect("social:organisations")
    return _organisation_page(request, form, organisation)


def _organisation_page(request, form, organisation):
    """The page of an organisation's form: a new one, or the one named."""
    return register_form_page(
        request,
        form,
        organisation,
        new_title=_("Add an organisation"),
        register=("social:organisations", _("Social organisations")),
        kind="organisation",
    )


# -- helpers -------------------------------------------------------------------------------


def _helper_accounts(user):
    """The volunteers' and social workers' accounts an officer sees: bound inside the
    jurisdiction."""
    return User.objects.visible_to(user).filter(role__in=list(HELPER_ROLES))


@route("helpers/")
@jurisdiction_required
def helpers(request):
    """Volunteers and social workers of the jurisdiction, with their skills and pairings."""
    accounts = _helper_accounts(request.user).select_related("area", "helper_profile__organisation")
    query = search_text(request)
    if query:
        accounts = accounts.filter(Q(name__icontains=query) | Q(username__icontains=query))
    role = request.GET.get("role", "")
    if role in HELPER_ROLES:
        accounts = accounts.filter(role=role)
    page = paginate(request, accounts.order_by("area__code", "role", "name"))
    today = timezone.localdate()
    current = {}
    for helper_id in (
        Pairing.objects.filter(helper__in=[u.pk for u in page])
        .current(today)
        .values_list("helper_id", flat=True)
    ):
        current[helper_id] = current.get(helper_id, 0) + 1
    for account in page:
        account.current_pairings = current.get(account.pk, 0)
        account.profile = getattr(account, "helper_profile", None)
    context = {
        "page": page,
        "q": query,
        "role": role,
        "roles": [(r.value, r.label) for r in HELPER_ROLES],
        "query": query_without_page(request),
        "can_edit": can_manage(request.user),
    }
    return render_page(request, "social/helpers.html", context, "social/partials/_helpers.html")


@route("helpers/<int:user_pk>/")
def helper_profile(request, user_pk):
    """A helper's profile: the helper edits their own; township and county officers edit
    those of their jurisdiction."""
    if is_helper(request.user) and request.user.pk == user_pk:
        account = request.user
    else:
        account = get_visible_or_404(_helper_accounts(request.user), request.user, pk=user_pk)
        if not can_manage(request.user):
            raise PermissionDenied
    profile = services.profile_of(account)
    county = county_of(account.area) if account.area_id else None
    organisations = (
        Organisation.objects.filter(county=county) if county else Organisation.objects.none()
    )
    form = HelperProfileForm(request.POST or None, instance=profile, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        services.update_helper_profile(request.user, profile, form.profile_data())
        messages.success(request, _("Saved."))
        return redirect("social:helper_profile", user_pk=account.pk)
    return form_page(
        request,
        form,
        f"{account} · {_('Helper profile')}",
        heading=f"{account} · {account.get_role_display()}",
        form_testid="helper-form",
        submit_testid="save",
    )


# -- a child's pairings and services (officers and directors) --------------------------------


@route("children/<int:child_pk>/")
def child_section(request, child_pk):
    """A child's pairings and services: a fragment of the child's page (htmx) or a page."""
    child = child_or_404(request, child_pk)
    pairings = list(Pairing.objects.filter(child=child).select_related("helper"))
    records = list(ServiceRecord.objects.filter(child=child).select_related("helper")[:50])
    today = timezone.localdate()
    context = {
        "child": child,
        "current": [p for p in pairings if p.is_current(today)],
        "earlier": [p for p in pairings if not p.is_current(today)],
        "records": records,
        "show_notes": notes_visible_to(request.user),
        "can_pair": services.may_pair(request.user, child) and child.status == ChildStatus.ACTIVE,
    }
    return render_page(request, "social/child.html", context, "social/partials/_child_section.html")


@route("children/<int:child_pk>/pair/")
def pair(request, child_pk):
    """Pair a helper with the child."""
    child = child_or_404(request, child_pk)
    if not services.may_pair(request.user, child):
        raise PermissionDenied
    form = PairingForm(
        request.POST or None,
        helpers=services.helpers_serving(child),
        initial={"started_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        pairing = save_through(
            form, lambda: services.pair(request.user, child, form.pairing_data())
        )
        if pairing:
            messages.success(
                request, _("%(helper)s is paired with the child.") % {"helper": pairing.helper}
            )
            return redirect("social:child_section", child_pk=child.pk)
    child_url = reverse("children:detail", args=[child.pk])
    section = reverse("social:child_section", args=[child.pk])
    return form_page(
        request,
        form,
        f"{_('Pair a helper')} · {child.name}",
        crumbs=[(child_url, child.name), (section, _("Social forces"))],
        crumb=_("Pair a helper"),
        template="social/pair_form.html",
        cancel_url=section,
        form_testid="pair-form",
        submit_testid="save",
    )


@route("pairings/<int:pk>/end/")
def pairing_end(request, pk):
    """End a pairing (its services stay on the child's page)."""
    pairing = get_visible_or_404(
        Pairing.objects.select_related("child__area", "helper"), request.user, pk=pk
    )
    if not services.may_pair(request.user, pairing.child):
        raise PermissionDenied
    form = EndPairingForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if saved(
        request,
        form,
        lambda: services.end_pairing(request.user, pairing, form.cleaned_data["ended_on"]),
        _("The pairing has ended."),
    ):
        return redirect("social:child_section", child_pk=pairing.child_id)
    return form_page(
        request,
        form,
        _("End the pairing"),
        heading=f"{_('End the pairing')}: {pairing.helper} · {pairing.child.name}",
        cancel_url=reverse("social:child_section", args=[pairing.child_id]),
        submit_label=_("End the pairing"),
        form_testid="pairing-end-form",
        submit_testid="save",
    )


@route("children/<int:child_pk>/services/new/")
def service_new(request, child_pk):
    """Record a service: a helper for a child paired with them; an officer or director for
    a helper (a record brought in on paper)."""
    if is_helper(request.user):
        child = get_object_or_404(
            services.paired_children(request.user).select_related("area"), pk=child_pk
        )
        helpers = None
        back = ("social:helper_child", child.pk)
    else:
        child = child_or_404(request, child_pk)
        helpers = services.helpers_serving(child)
        back = ("social:child_section", child.pk)
    if not services.may_record(request.user, child):
        raise PermissionDenied
    form = ServiceRecordForm(
        request.POST or None,
        helpers=helpers,
        with_notes=notes_visible_to(request.user),
        initial={"on": timezone.localdate()},
    )
    if saved(
        request,
        form,
        lambda: services.record_service(
            request.user, child, form.record_data(), form.cleaned_data.get("helper")
        ),
        _("Service recorded."),
    ):
        return redirect(back[0], back[1])
    return form_page(
        request,
        form,
        f"{_('Record a service')} · {child.name}",
        lead=_(
            "Counselling and tutoring: the duration; counselling also the topic. Financial aid: "
            "the amount and its purpose. Material aid: what was given. Aid is added to the "
            "child's relief measures."
        ),
        cancel_url=reverse(back[0], args=[back[1]]),
        form_testid="service-form",
        submit_testid="save",
    )


# -- a helper's own pages -------------------------------------------------------------------


@route("mine/")
def my_children(request):
    """The children paired with the helper now (a helper's home)."""
    if not is_helper(request.user):
        return redirect("social:helpers")
    today = timezone.localdate()
    pairings = (
        Pairing.objects.filter(helper=request.user, child__status=ChildStatus.ACTIVE)
        .current(today)
        .select_related("child__area__parent")
        .order_by("child__area__code", "child__name")
    )
    return render(request, "social/my_children.html", {"pairings": pairings, "today": today})


@route("mine/<int:pk>/")
def helper_child(request, pk):
    """What a helper sees of a paired child: name, age, village, school, the caregiver's name
    and phone, and the help history. Nothing else of the record (no identity number, no
    parents, no income, no other children). The read is audited."""
    if not is_helper(request.user):
        return redirect("children:detail", pk=pk)
    child = get_object_or_404(
        services.paired_children(request.user).select_related("area__parent"), pk=pk
    )
    caregiver = getattr(child, "caregiver", None)
    record_read(request.user, child, via="helper")
    context = {
        "child": child,
        "age": child.age_on(timezone.localdate()),
        "caregiver": caregiver,
        "pairings": Pairing.objects.filter(child=child, helper=request.user),
        "records": ServiceRecord.objects.filter(child=child).select_related("helper"),
        "show_notes": notes_visible_to(request.user),
    }
    return render(request, "social/helper_child.html", context)
