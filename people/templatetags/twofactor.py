"""The two-factor panel of an account's page (people.twofactor)."""

from django import template

from core.two_factor import has_device

from ..twofactor import may_reset

register = template.Library()


@register.inclusion_tag("people/twofactor/_panel.html", takes_context=True)
def two_factor_panel(context, person):
    """Whether `person` has two-factor login; their own set-up link; the officer's reset."""
    viewer = context["user"]
    return {
        "person": person,
        "enrolled": has_device(person),
        "is_self": person.pk == viewer.pk,
        "may_reset": may_reset(viewer, person),
        "csrf_token": context.get("csrf_token"),
    }
