"""Pages of the jurisdiction: home, area drill-down, gaps, people and the responsibility matrix."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.codes import Level
from areas.models import Area, ServicePoint
from areas.services import breadcrumbs
from core.audit import log_action
from core.htmx import paginate, query_without_page, render_page
from core.routes import Routes
from core.scoping import get_visible_or_404, jurisdiction_prefix, jurisdiction_required

from ..filters import ApiTokenFilter, PersonFilter
from ..forms import (
    AccountForm,
    AccountPasswordForm,
    ApiTokenForm,
    NewAccountForm,
    NewResponsibilityPostForm,
    ResponsibilityPostForm,
)
from ..models import ApiToken, ResponsibilityPost, User
from ..services import (
    add_post,
    create_account,
    set_account_password,
    update_account,
    update_post,
)
from ..summary import (
    child_area_rows,
    jurisdiction_summary,
    responsibility_rows,
    villages_with_gaps,
)
from ..tokens import issue, revoke_all, revoke_by, visible_tokens

route = Routes()


@login_required
def home(request):
    """Each role's home page: the jurisdiction's summary and where to go next."""
    user = request.user
    context = {"area": user.area, "has_jurisdiction": jurisdiction_prefix(user) is not None}
    if context["has_jurisdiction"]:
        context["summary"] = jurisdiction_summary(user)
        if user.area.level == Level.VILLAGE:
            context["home_point"] = ServicePoint.objects.homes().filter(area=user.area).first()
    return render(request, "people/home.html", context)


@route("areas/")
def area_root(request):
    """The top of the user's jurisdiction in the area tree."""
    return _to_own_area(request, "people:area_detail")


@route("areas/<str:code>/")
def area_detail(request, code):
    """One area with the units below it (county → townships → villages)."""
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, code=code)
    context = {
        "area": area,
        "breadcrumbs": breadcrumbs(request.user, area),
        "rows": child_area_rows(area),
        "points": ServicePoint.objects.visible_to(request.user).filter(area=area),
    }
    if area.level == Level.VILLAGE:
        context["directors"] = User.objects.visible_to(request.user).directors().filter(area=area)
        context["posts"] = ResponsibilityPost.objects.visible_to(request.user).filter(area=area)
    return render(request, "people/area_detail.html", context)


@route("areas/gaps/")
@jurisdiction_required
def gaps(request):
    """Villages that lack a children's home, a director or a protection team member."""
    villages = villages_with_gaps(
        Area.objects.visible_to(request.user).villages().select_related("parent")
    ).order_by("code")
    page = paginate(request, villages)
    return render_page(
        request, "people/gaps.html", {"page": page, "query": ""}, "people/partials/_gaps_table.html"
    )


@route("people/")
@jurisdiction_required
def person_list(request):
    """The people (accounts) of the user's jurisdiction, searchable by name, role and area."""
    people = User.objects.visible_to(request.user).select_related("area")
    person_filter = PersonFilter(request.GET, queryset=people)
    page = paginate(request, person_filter.qs)
    context = {"filter": person_filter, "page": page, "query": query_without_page(request)}
    return render_page(
        request, "people/person_list.html", context, "people/partials/_person_table.html"
    )


@route("people/<int:pk>/")
def person_detail(request, pk):
    person = get_visible_or_404(User.objects.select_related("area"), request.user, pk=pk)
    may_manage = request.user.can_manage and request.user.may_manage_account(person)
    return render(
        request, "people/person_detail.html", {"person": person, "may_manage": may_manage}
    )


@route("responsibility/")
def responsibility_root(request):
    """The responsibility matrix of the user's own area."""
    return _to_own_area(request, "people:responsibility")


def _to_own_area(request, page):
    """To `page` of the user's own area; an account bound to no area is told it has none."""
    if jurisdiction_prefix(request.user) is None:
        return render(request, "people/no_jurisdiction.html")
    return redirect(page, code=request.user.area.code)


@route("responsibility/<str:code>/")
def responsibility(request, code):
    """Who answers for child protection in each township and village, with vacancies flagged."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    return render(
        request,
        "people/responsibility.html",
        {
            "area": area,
            "breadcrumbs": breadcrumbs(request.user, area),
            "rows": responsibility_rows(area),
            "can_manage": request.user.can_manage,
        },
    )


def _require_manager(user):
    """Only county and township roles maintain the responsibility matrix."""
    if not user.can_manage:
        raise PermissionDenied


@route("responsibility/posts/<int:pk>/edit/")
def post_edit(request, pk):
    """Change the holder of a post; a blank holder marks it vacant."""
    post = get_visible_or_404(
        ResponsibilityPost.objects.select_related("area"), request.user, pk=pk
    )
    _require_manager(request.user)
    if request.method == "POST":
        stored = ResponsibilityPost.objects.get(pk=post.pk)
        form = ResponsibilityPostForm(request.POST, instance=stored)
        if form.is_valid():
            update_post(request.user, post, form.changes())
            messages.success(request, _("Saved."))
            return redirect("people:responsibility", code=post.area.code)
    else:
        form = ResponsibilityPostForm(instance=post)
    context = {"form": form, "area": post.area, "post": post}
    return render(request, "people/post_form.html", context)


@route("responsibility/<str:code>/add/")
def post_add(request, code):
    """Add a post (for example another village cadre) to a township or village."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    _require_manager(request.user)
    if area.level not in ResponsibilityPost.REQUIRED:
        raise PermissionDenied
    initial = {"post": request.GET.get("post")}
    form = NewResponsibilityPostForm(request.POST or None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        add_post(request.user, area, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("people:responsibility", code=area.code)
    return render(request, "people/post_form.html", {"form": form, "area": area})


def _managed_account_or_404(request, pk):
    """An account the user may manage: visible (else 404) and below them (else 403)."""
    person = get_visible_or_404(User.objects.select_related("area"), request.user, pk=pk)
    if not request.user.can_manage or not request.user.may_manage_account(person):
        raise PermissionDenied
    return person


@route("people/new/")
def person_new(request):
    """Open an account for a person of the jurisdiction (county and township roles)."""
    if not request.user.can_manage:
        raise PermissionDenied
    form = NewAccountForm(
        request.POST or None,
        actor=request.user,
        initial={"area_code": request.GET.get("area", ""), "role": request.GET.get("role", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = create_account(
            request.user,
            username=data["username"],
            password=data["password1"],
            name=data["name"],
            role=data["role"],
            area=form.instance.area,
            phone=data["phone"],
        )
        messages.success(request, _("Account created."))
        return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form})


@route("people/<int:pk>/edit/")
def person_edit(request, pk):
    """Change an account's role, area, phone or active state (never deleted)."""
    person = _managed_account_or_404(request, pk)
    if request.method == "POST":
        stored = User.objects.select_related("area").get(pk=person.pk)
        form = AccountForm(request.POST, instance=stored, actor=request.user)
        if form.is_valid():
            update_account(request.user, person, form.changes())
            messages.success(request, _("Saved."))
            return redirect("people:person_detail", pk=person.pk)
    else:
        form = AccountForm(instance=person, actor=request.user)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@route("people/<int:pk>/password/")
def person_password(request, pk):
    """Set a new password for an account the user manages."""
    person = _managed_account_or_404(request, pk)
    form = AccountPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        set_account_password(request.user, person, form.cleaned_data["new_password1"])
        messages.success(request, _("Password set."))
        return redirect("people:person_detail", pk=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "person": person, "password": True}
    )


class AuditedPasswordChangeView(PasswordChangeView):
    """Users change their own password; the change is audited."""

    # Named explicitly: the admin app ships a template with the default name.
    template_name = "people/password_change.html"

    success_url = reverse_lazy("home")

    def form_valid(self, form):
        # A new password ends the account's API tokens (revoked first, so the audit entries
        # name the user who changed it).
        revoke_all(self.request.user, self.request.user, ApiToken.Reason.PASSWORD_CHANGED)
        response = super().form_valid(form)
        log_action(self.request.user, "people.user.password_changed", self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return response


@route("account/tokens/")
def my_tokens(request):
    """The user's own API tokens: list them, make one (its key shown this once), revoke."""
    form = ApiTokenForm(request.POST or None)
    new_token = new_key = None
    if request.method == "POST" and form.is_valid():
        new_token, new_key = issue(request.user, form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).select_related("revoked_by")
    context = {
        "form": form,
        "page": paginate(request, tokens),
        "query": "",
        "new_token": new_token,
        "new_key": new_key,
        "mine": True,
        "token_days": settings.API_TOKEN_DAYS,
    }
    response = render_page(
        request, "people/my_tokens.html", context, "people/partials/_token_table.html"
    )
    add_never_cache_headers(response)  # a new key must not stay in any cache
    return response


@route("people/tokens/")
def token_list(request):
    """The API tokens of every account in a county officer's jurisdiction, with revoke."""
    if not request.user.can_manage_tokens:
        raise PermissionDenied
    tokens = visible_tokens(request.user).select_related("user__area", "revoked_by")
    token_filter = ApiTokenFilter(request.GET, queryset=tokens)
    context = {
        "filter": token_filter,
        "page": paginate(request, token_filter.qs),
        "query": query_without_page(request),
        "mine": False,
    }
    return render_page(
        request, "people/token_list.html", context, "people/partials/_token_table.html"
    )


@route("account/tokens/<int:pk>/revoke/")
@require_POST
def token_revoke(request, pk):
    """Revoke a token: the owner's own, or a county officer's for an account of theirs."""
    token = get_object_or_404(visible_tokens(request.user), pk=pk)
    if revoke_by(request.user, token):
        messages.success(request, _("The API token %(name)s was revoked.") % {"name": token})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("people:my_tokens")
    return redirect(back)
