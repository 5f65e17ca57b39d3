"""Template pieces of applications that other apps' pages include: the overdue applications
by township (the home page of township and county officers) and, on a child's page, the
child's eligibility checks and its applications with the link to apply."""

from django import template
from django.db import router
from django.utils import timezone

from applications import eligibility, reports, services
from applications.models import Application
from applications.policy import Step
from applications.workdays import workdays_left
from children.choices import Status as ChildStatus
from core.compiled import prepared, sentinel_id
from core.instances import Shape
from core.scoping import STAND_IN_PREFIX, jurisdiction_prefix, range_bounds

register = template.Library()


@register.filter
def late_by(days: int) -> int:
    """Working days late, from a negative number of days left."""
    return -days if days < 0 else 0


@register.filter
def may_apply(user) -> bool:
    """Whether the user's role opens applications (the button on a child's page)."""
    return services.may(user, None, Step.OPEN)


@register.inclusion_tag("applications/partials/_overdue_by_township.html", takes_context=True)
def applications_by_township(context, area=None):
    """The open and overdue applications of the user's jurisdiction (or of `area` in it: a
    dashboard's), by township (one query); nothing for a user who sees no area, a village's
    director or a village's dashboard."""
    user = context["request"].user
    prefix = jurisdiction_prefix(user)
    if prefix is None or len(prefix) > 9 or (area is not None and len(area.prefix) > 9):
        return {"rows": [], "shown": False}
    applications = Application.objects.visible_to(user)
    if area is not None:
        applications = applications.within(area.prefix)
    rows = reports.overdue_by_township(applications, timezone.localdate())
    return {"rows": rows, "shown": True}


@register.inclusion_tag("applications/partials/_eligibility.html", takes_context=True)
def child_eligibility(context, child):
    """What the child's situation calls for and no measure or open application meets (one
    query), each with the link to apply for it when the user may."""
    user = context["request"].user
    return {
        "child": child,
        "unmet": eligibility.unmet_for(child, timezone.localdate()),
        "may_apply": services.may(user, None, Step.OPEN),
    }


@register.inclusion_tag("applications/partials/_child_applications.html", takes_context=True)
def child_applications(context, child):
    """The child's applications the user may see (newest first, one query), each with its
    step and, while it waits, its working days left; and the button to apply. A child's
    page is the place one looks for them: the application and its timeline are a tap
    away."""
    user = context["request"].user
    today = timezone.localdate()
    applications = _applications_of(child, user)
    for application in applications:
        application.days_left = (
            workdays_left(today, application.due_on)
            if application.is_open and application.due_on
            else None
        )
    return {
        "child": child,
        "applications": applications,
        "may_apply": child.status == ChildStatus.ACTIVE and may_apply(user),
    }


_WITH_PROGRAMME = Shape(Application, ["programme"])


def _applications_of(child, user) -> list[Application]:
    """The child's applications `user` may see, newest first, each with its programme: the
    ORM's query compiled once per process (core.compiled), the child's id and the bounds of
    the user's jurisdiction its values; it runs on every child's page and mostly finds
    nothing, and building it cost more than running it."""
    prefix = jurisdiction_prefix(user)
    bounds = range_bounds(prefix) if prefix is not None else None
    if bounds is None:  # no area (none), or a prefix that is no range: the ORM decides
        return list(_newest_first(Application.objects.visible_to(user), child.pk))
    query = prepared(
        "applications.child_applications",
        lambda pk, prefix: _newest_first(Application.objects.within(prefix), pk).values(
            *_WITH_PROGRAMME.names
        ),
        sentinel_id(),
        STAND_IN_PREFIX,
        model=Application,
        params=lambda pk, prefix: [pk, *range_bounds(prefix)],
    )
    alias = router.db_for_read(Application)
    return [_WITH_PROGRAMME.build(row, alias) for row in query.run(child.pk, prefix)]


def _newest_first(applications, child_pk):
    return (
        applications.filter(child=child_pk)
        .select_related("programme")
        .order_by("-opened_on", "-pk")
    )
