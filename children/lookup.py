"""The one way a page looks up a child by its number: inside the user's jurisdiction."""

from core.scoping import get_visible_or_404

from .models import Child


def child_or_404(request, pk, *related: str) -> Child:
    """The child `pk` if the user may see it, with its village and township (one query);
    a 404 otherwise, so that a record outside the jurisdiction is not revealed. `related`
    names more relations a page shows, read in the same query."""
    return get_visible_or_404(
        Child.objects.select_related("area", "area__parent", *related), request.user, pk=pk
    )
