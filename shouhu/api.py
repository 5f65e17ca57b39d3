"""The /api/v1/ router: each of Shouhu's apps adds its own viewsets through the
`register(router)` function of its api.py, in INSTALLED_APPS order."""

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter


def _own_api_modules():
    """The api modules of Shouhu's own apps (Django's messages app has an `api` too)."""
    for app in apps.get_app_configs():
        own = Path(app.path).resolve().parent == Path(settings.BASE_DIR)
        if own and module_has_submodule(app.module, "api"):
            yield import_module(f"{app.name}.api")


router = DefaultRouter()
for module in _own_api_modules():
    if hasattr(module, "register"):  # core's api.py holds shared pieces, no routes
        module.register(router)
