"""Pages of children's homes and other service points."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.forms import change_form, saved
from core.htmx import paginate, query_without_page, render_page
from core.routes import Routes
from core.scoping import (
    can_manage,
    can_write,
    get_editable_or_404,
    get_visible_or_404,
    jurisdiction_required,
)
from core.views import form_page

from .filters import ServicePointFilter
from .forms import NewChildrensHomeForm, ServicePointForm
from .models import ServicePoint
from .services import create_service_point, update_service_point

route = Routes()


@route("")
@jurisdiction_required
def service_point_list(request):
    """Children's homes (and workstations, the county center) in the user's jurisdiction."""
    points = ServicePoint.objects.visible_to(request.user).select_related("area")
    # Children's homes unless another kind is asked for, on every page of the list.
    data = request.GET.copy()
    data.setdefault("kind", ServicePoint.Kind.CHILDRENS_HOME)
    point_filter = ServicePointFilter(data, queryset=points)
    page = paginate(request, point_filter.qs)
    context = {"filter": point_filter, "page": page, "query": query_without_page(request)}
    return render_page(
        request,
        "areas/service_point_list.html",
        context,
        "areas/partials/_service_point_table.html",
    )


@route("<int:pk>/")
def service_point_detail(request, pk):
    point = get_visible_or_404(ServicePoint.objects.select_related("area"), request.user, pk=pk)
    return render(
        request,
        "areas/service_point_detail.html",
        {
            "point": point,
            "can_edit": can_write(request.user),
        },
    )


@route("<int:pk>/edit/")
def service_point_edit(request, pk):
    """Edit a service point; a save based on a stale copy is refused, not merged."""
    point = get_editable_or_404(ServicePoint.objects.select_related("area"), request.user, pk=pk)
    form = change_form(ServicePointForm, request, point)
    if saved(
        request,
        form,
        lambda: update_service_point(
            request.user, point, form.changes(), based_on=form.cleaned_data["based_on"]
        ),
    ):
        return redirect("areas:service_point_detail", pk=point.pk)
    detail = reverse("areas:service_point_detail", args=[point.pk])
    return form_page(
        request,
        form,
        f"{_('Edit')} {point.name}",
        crumbs=[(detail, point.name)],
        crumb=_("Edit"),
        cancel_url=detail,
    )


@route("new/")
def childrens_home_new(request):
    """Open a children's home in a village that lacks one (county and township roles)."""
    if not can_manage(request.user):
        raise PermissionDenied
    form = NewChildrensHomeForm(
        request.POST or None, actor=request.user, initial={"area_code": request.GET.get("area", "")}
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "area_code"}
        point = create_service_point(
            request.user, kind=ServicePoint.Kind.CHILDRENS_HOME, area=form.instance.area, **fields
        )
        messages.success(request, _("Saved."))
        return redirect("areas:service_point_detail", pk=point.pk)
    homes = reverse("areas:service_point_list")
    return form_page(
        request,
        form,
        _("Open a children's home"),
        crumbs=[(homes, _("Children's homes"))],
        cancel_url=homes,
    )
