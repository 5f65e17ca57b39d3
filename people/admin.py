from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.admin import AuditedModelAdmin

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


@admin.register(ResponsibilityPost)
class ResponsibilityPostAdmin(AuditedModelAdmin):
    list_display = ["area", "post", "holder_name", "phone"]
    list_filter = ["post"]
    search_fields = ["area__name", "area__code", "holder_name"]
    raw_id_fields = ["area"]
