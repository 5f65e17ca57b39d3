from django.contrib import admin

from core.admin import AuditedModelAdmin

from .models import Area, ServicePoint


class AreaBoundAdmin(AuditedModelAdmin):
    """A record bound to an area: the area is picked by its id (a select of every area would
    be too long) and the search finds records by the area's name and code too."""

    raw_id_fields = ["area"]

    def get_search_fields(self, request):
        return [*super().get_search_fields(request), "area__name", "area__code"]


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
class ServicePointAdmin(AreaBoundAdmin):
    list_display = ["name", "kind", "area", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]
