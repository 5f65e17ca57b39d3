"""The inboxes' fragment addresses for a page that loads them after itself (core/inboxes.py)."""

from django import template

from core import inboxes

register = template.Library()


@register.simple_tag
def inbox_urls() -> list[str]:
    """Where each registered inbox's fragment is served."""
    return inboxes.inbox_urls()
