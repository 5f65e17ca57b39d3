"""What waits for the user at the top of the worklist and the officers' home page: each app
registers its inbox here (in its menu.py, beside its menu entries), as the menu does: the URL
name of its fragment, the fragment's template and the function that makes the template's
context for a user.

The home page loads the fragments after the page (htmx: an officer's inboxes count a county);
the director's worklist renders them in the page (`render_inboxes`), so a phone on one bar of
signal brings no htmx there (issue 15's weak-network budget). Both show the same templates.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Inbox:
    """One app's inbox: its fragment's URL name, template and context for a user."""

    url_name: str
    template: str
    context_of: Callable[[object], dict]
    order: int


_inboxes: list[Inbox] = []


def register(url_name: str, template: str, context_of: Callable, *, order: int = 100) -> None:
    """Add an app's inbox (once: a module imported twice does not add it twice)."""
    if any(inbox.url_name == url_name for inbox in _inboxes):
        return
    _inboxes.append(Inbox(url_name, template, context_of, order))
    _inboxes.sort(key=lambda inbox: inbox.order)


def inboxes() -> list[Inbox]:
    """The registered inboxes, in their order."""
    return list(_inboxes)


def inbox_urls() -> list[str]:
    """The fragments' addresses, for a page that loads them after itself."""
    return [reverse(inbox.url_name) for inbox in _inboxes]


def render_inboxes(request) -> SafeString:
    """Every inbox's HTML for this request's user (an inbox with nothing waiting is empty)."""
    parts = [
        render_to_string(inbox.template, inbox.context_of(request.user), request)
        for inbox in _inboxes
    ]
    # Each template escapes what it shows; joining them adds nothing unescaped.
    return mark_safe("".join(parts))
