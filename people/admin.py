from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from areas.admin import AreaBoundAdmin
from core.admin import ReadOnlyModelAdmin
from core.audit import log_action

from . import tokens
from .models import ApiToken, ResponsibilityPost, User


@admin.register(User)
class ShouhuUserAdmin(AreaBoundAdmin, UserAdmin):
    list_display = ["username", "name", "role", "area", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "name"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Shouhu", {"fields": ["name", "role", "area", "phone"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted

    def save_model(self, request, obj, form, change):
        if change:
            # Deactivation or a new role or area ends the account's API tokens; revoked
            # before the save so the entries name the administrator (people/signals.py).
            before = User.objects.values("role", "area_id", "is_active").get(pk=obj.pk)
            after = {"role": obj.role, "area_id": obj.area_id, "is_active": obj.is_active}
            reasons = tokens.account_change_reasons(before, after)
            if reasons:
                tokens.revoke_all(obj, request.user, reasons[0])
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            log_action(request.user, "people.user.password_set", user, {"via": "admin"})
        return response


# Roles are Shouhu's own (people/roles.py); Django's groups are not used.
admin.site.unregister(Group)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    """Read-only: tokens are issued and revoked through the app (audited); the key is never
    stored, so there is nothing to show but its prefix."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at", "reason"]
    list_filter = ["reason"]
    search_fields = ["user__username", "name", "prefix"]
    exclude = ["digest"]


@admin.register(ResponsibilityPost)
class ResponsibilityPostAdmin(AreaBoundAdmin):
    list_display = ["area", "post", "holder_name", "phone"]
    list_filter = ["post"]
    search_fields = ["holder_name"]
