"""API permission classes (kept apart from viewsets: DRF imports this at settings time)."""

from rest_framework import permissions

from .scoping import can_write


class StaffRolePermission(permissions.BasePermission):
    """Authenticated users may read; only roles that may write may change anything.

    What a user can see is decided by the viewset's queryset (`visible_to`), not here.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_write(user)
