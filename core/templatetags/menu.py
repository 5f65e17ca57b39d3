"""{% main_menu as entries %}: the main menu's entries for the current user and page."""

from django import template

from core import menu

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The entries of core.menu visible to the signed-in user, the current page's active."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return menu.entries_for(context["user"], match.view_name if match else None)
