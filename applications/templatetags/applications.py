"""Template pieces of applications that other apps' pages include: the overdue applications
by township (the home page of township and county officers) and, on a child's page, the
child's eligibility checks and its applications with the link to apply."""

from django import template
from django.utils import timezone

from applications import eligibility, reports, services
from applications.models import Application
from applications.policy import Step
from applications.workdays import workdays_left
from children.choices import Status as ChildStatus
from core.scoping import jurisdiction_prefix

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
    applications = list(
        Application.objects.visible_to(user)
        .filter(child=child)
        .select_related("programme")
        .order_by("-opened_on", "-pk")
    )
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
