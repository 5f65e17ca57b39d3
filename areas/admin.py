from django.contrib import admin

from core.admin import AuditedModelAdmin

from .models import Area, ServicePoint


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # Changing a code or a parent would move an area out of its jurisdiction.
        return ["code", "level", "parent"] if obj else []


@admin.register(ServicePoint)
class ServicePointAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "area", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "area__name", "area__code"]
    raw_id_fields = ["area"]
