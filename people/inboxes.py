"""What waits for the user on the worklist and the home page: the open reports of concern,
the open round's step and the referrals waiting for an answer. The home page loads them after
the page (htmx); the worklist renders them in the page, so a director's phone on one bar of
signal needs no htmx there (issue 15)."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from concerns import services as concerns
from referrals import services as referrals
from rounds import services as rounds


def render_inboxes(request) -> SafeString:
    """The inboxes' HTML for this request's user (empty parts when nothing waits)."""
    parts = (
        render_to_string("concerns/partials/_inbox.html", concerns.inbox(request.user), request),
        render_to_string("rounds/partials/_inbox.html", rounds.inbox(request.user), request),
        render_to_string("referrals/partials/_inbox.html", referrals.inbox(request.user), request),
    )
    # The templates escape what they show; joining them adds nothing unescaped.
    return mark_safe("".join(parts))
