from django.contrib import admin

from core.admin import ReadOnlyModelAdmin

from .models import DemoDataset


@admin.register(DemoDataset)
class DemoDatasetAdmin(ReadOnlyModelAdmin):
    """Read-only: the marker is written by seed_demo alone."""

    list_display = ["scale", "seed", "loaded_at"]
