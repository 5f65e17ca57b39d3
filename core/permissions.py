"""API permission classes (kept apart from viewsets: DRF imports this at settings time)."""

from rest_framework import permissions

from .scoping import can_write


class StaffRolePermission(permissions.BasePermission):
    """Authenticated users may read; only roles that may write may change anything.

    What a user can see is decided by the viewset's queryset (`visible_to`), not here. For
    a change to one record the record is looked up first, so a record outside the
    jurisdiction answers 404 before the role is considered (403), as the pages do.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if lookup in getattr(view, "kwargs", {}):
            return True  # decided in has_object_permission, after the lookup
        return can_write(user)

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or can_write(request.user)
