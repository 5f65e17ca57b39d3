from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import TokenProxy

from core.admin import AuditedModelAdmin
from core.audit import log_action

from .models import ResponsibilityPost, User


@admin.register(User)
class ShouhuUserAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ["username", "name", "role", "area", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "name", "area__name", "area__code"]
    raw_id_fields = ["area"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Shouhu", {"fields": ["name", "role", "area", "phone"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            log_action(request.user, "people.user.password_set", user, {"via": "admin"})
        return response


# Roles are Shouhu's own (people/roles.py); Django's groups are not used.
admin.site.unregister(Group)
# API tokens are issued through /api/v1/auth/token/ (audited), not created by hand.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(ResponsibilityPost)
class ResponsibilityPostAdmin(AuditedModelAdmin):
    list_display = ["area", "post", "holder_name", "phone"]
    list_filter = ["post"]
    search_fields = ["area__name", "area__code", "holder_name"]
    raw_id_fields = ["area"]
