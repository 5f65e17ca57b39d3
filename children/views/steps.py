"""What the pages that change one child share: the child, looked up for a change, and the
way back once it is saved."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from core.navigation import next_url
from core.scoping import can_write

from ..lookup import child_or_404
from ..models import Child


def child_to_change(request, pk, may=can_write) -> Child:
    """The child `pk` for a page that changes it: a 404 outside the user's jurisdiction
    (child_or_404), a 403 for a user whose role `may` not make the change."""
    child = child_or_404(request, pk)
    if not may(request.user):
        raise PermissionDenied
    return child


def back_to_child(request, child: Child):
    """After a change: back to the page the user came from, or to the child's page."""
    return redirect(next_url(request) or reverse("children:detail", args=[child.pk]))
