"""{% main_menu as menu %}: the main menu for the current user and page (core.menu.Menu:
the entries shown at once, and those behind "more")."""

from django import template

from core import menu

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The menu of core.menu for the signed-in user, the current page's entry active."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return menu.menu_for(context["user"], match.view_name if match else None)
