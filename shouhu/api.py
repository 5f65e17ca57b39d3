"""The /api/v1/ router: each of Shouhu's apps adds its own viewsets through the
`register(router)` function of its api.py, in INSTALLED_APPS order."""

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter

router = DefaultRouter()

for app in apps.get_app_configs():
    # Only Shouhu's own apps (Django's messages app has an `api` module too); core's api.py
    # holds the shared API pieces and no routes.
    if Path(app.path).parent != Path(settings.BASE_DIR) or not module_has_submodule(
        app.module, "api"
    ):
        continue
    register = getattr(import_module(f"{app.name}.api"), "register", None)
    if register:
        register(router)
