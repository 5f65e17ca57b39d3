"""The project's own app configurations."""

from django.contrib.admin.apps import AdminConfig


class TwoFactorAdminConfig(AdminConfig):
    """Django's admin, served by a site that asks for the one-time code (Django's documented
    way to replace the default admin site)."""

    default_site = "people.twofactor.TwoFactorAdminSite"
