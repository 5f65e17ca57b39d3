from django.contrib import admin

from .models import DemoDataset


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    list_display = ["scale", "seed", "loaded_at"]
