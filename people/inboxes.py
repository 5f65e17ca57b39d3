"""What waits for the user on the worklist and the home page: the open reports of concern,
the open round's step and the referrals waiting for an answer. The home page loads them after
the page (htmx); the worklist renders them in the page, so a director's phone on one bar of
signal needs no htmx there (issue 15).

Each inbox belongs to an app above this one (concerns, rounds, referrals), which registers it
in its AppConfig.ready() with `register`: people imports none of them (the dependency order,
tests/test_dependencies.py)."""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# (order, partial template, its context for a user), shown by order.
INBOXES: list[tuple[int, str, Callable]] = []


def register(order: int, template: str, context: Callable) -> None:
    """Put an app's inbox on the worklist: its partial `template`, rendered with
    `context(user)`, at `order` among the others (registering it again changes nothing)."""
    entry = (order, template, context)
    if entry not in INBOXES:
        INBOXES.append(entry)
        INBOXES.sort(key=lambda e: e[0])


def render_inboxes(request) -> SafeString:
    """The inboxes' HTML for this request's user (empty parts when nothing waits)."""
    parts = (
        render_to_string(template, context(request.user), request)
        for _order, template, context in INBOXES
    )
    # The templates escape what they show; joining them adds nothing unescaped.
    return mark_safe("".join(parts))
