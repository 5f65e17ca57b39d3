"""Jurisdiction scoping: the one mechanism every page, API endpoint, export and report uses.

A user's jurisdiction is the code prefix of the area their account is bound to
(county 341623, township 341623100, village 341623100201). A record is visible when the
code of the area it belongs to starts with that prefix. Nothing else decides visibility.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import render


def jurisdiction_prefix(user) -> str | None:
    """The area-code prefix the user may see, or None when they may see no area data."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "jurisdiction_prefix", None)


def can_write(user) -> bool:
    """Whether the user's role may change data at all (read-only roles may not)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "can_write", False))


def can_manage(user) -> bool:
    """Whether the user's role maintains the places and people of the areas below it."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "can_manage", False))


def code_range(field: str, prefix: str) -> dict:
    """Lookups selecting codes that start with a digit prefix: [prefix, prefix + 1)."""
    if not prefix.isdigit():
        return {f"{field}__startswith": prefix}
    upper = str(int(prefix) + 1).zfill(len(prefix))
    if len(upper) > len(prefix):  # 99… has no next prefix of the same length
        return {f"{field}__gte": prefix}
    return {f"{field}__gte": prefix, f"{field}__lt": upper}


def range_bounds(prefix: str) -> tuple[str, str] | None:
    """The two codes code_range compares with when it is a range (prefix ≤ code < upper),
    None when it is not (a prefix of nines, or not digits): a compiled query
    (core.compiled) of a jurisdiction takes them as its values."""
    lookups = code_range("code", prefix)
    if set(lookups) != {"code__gte", "code__lt"}:
        return None
    return lookups["code__gte"], lookups["code__lt"]


# A prefix no area has, digits as every jurisdiction's: compiled scoped queries are built
# with it, and its two bounds stand in for a user's (range_bounds).
STAND_IN_PREFIX = "0" * 20


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to an area, filtered by the user's jurisdiction.

    Subclasses set `scope_field` to the lookup path of the owning area's code.
    """

    scope_field = "area__code"

    def visible_to(self, user):
        """Rows inside the user's jurisdiction; none for anonymous or unbound users."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        return self.within(prefix)

    def editable_by(self, user):
        """Rows the user may change: visible ones, and only for roles that may write."""
        if not can_write(user):
            return self.none()
        return self.visible_to(user)

    def within(self, code_prefix: str):
        """Rows under an area code prefix (used for drill-down inside a visible area).

        Written as a range (prefix ≤ code < next prefix) rather than LIKE 'prefix%': on
        SQLite LIKE is case-insensitive and cannot use the code's index, a range can,
        so a village's page costs the village's rows, not the county's.
        """
        return self.filter(**code_range(self.scope_field, code_prefix))


class CountyQuerySet(ScopedQuerySet):
    """Rows that belong to a county (a catalogue, a register): everyone working in the
    county sees them, a township or village account through its county."""

    scope_field = "county__code"

    def visible_to(self, user):
        # The user's area code prefix cut to the county's six digits.
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        return self.within(prefix[:6])


def get_visible_or_404(queryset, user, **lookup):
    """Fetch one object inside the user's jurisdiction; outside it the answer is 404.

    A 404 and not a 403, so that the existence of the record is not revealed.
    """
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def get_editable_or_404(queryset, user, **lookup):
    """get_visible_or_404 for a page that changes the object: a role that may not write gets
    a 403, once the object is known to be visible (so the 403 reveals nothing)."""
    obj = get_visible_or_404(queryset, user, **lookup)
    if not can_write(user):
        raise PermissionDenied
    return obj


def jurisdiction_required(view):
    """For pages that list or count an area's records: a user who sees no area (a social
    worker or volunteer, who sees only their paired children) gets a page saying so instead
    of an empty list or a count of zero, which would tell them something false ("no
    children", "every village's team is complete")."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if jurisdiction_prefix(request.user) is None:
            return render(request, "core/no_jurisdiction.html")
        return view(request, *args, **kwargs)

    return wrapped
