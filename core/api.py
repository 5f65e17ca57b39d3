"""Shared pieces of the REST API: permissions and scoped viewsets."""

from rest_framework import viewsets


class ScopedViewSetMixin:
    """Start every API queryset from the model's `visible_to(user)`."""

    scoped_model = None

    def get_queryset(self):
        return self.scoped_model.objects.visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, inside the caller's jurisdiction (outside: 404)."""
