from django.contrib import admin

from .models import DemoDataset


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    """Read-only: the marker is written by seed_demo alone."""

    list_display = ["scale", "seed", "loaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
