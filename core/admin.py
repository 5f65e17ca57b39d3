from django.contrib import admin

from .audit import log_action
from .models import AuditEntry


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose creates, updates and deletes are written to the audit log."""

    def _action(self, obj, verb):
        return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        verb = "updated" if change else "created"
        log_action(
            request.user,
            self._action(obj, verb),
            obj,
            {"fields": list(form.changed_data), "via": "admin"},
        )

    def delete_model(self, request, obj):
        log_action(request.user, self._action(obj, "deleted"), obj, {"via": "admin"})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            log_action(request.user, self._action(obj, "deleted"), obj, {"via": "admin"})
        super().delete_queryset(request, queryset)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """A ModelAdmin that shows records and neither adds, changes nor deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    """Read-only: the audit log cannot be edited or deleted through the app."""

    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_username", "action", "object_repr"]
