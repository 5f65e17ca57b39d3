"""The /api/v1/ routes come from the apps: each app's api.py has `register(router)` and
shouhu/api.py calls it for every app (issue 14). The routes are today's, and a viewset that
an app defines but does not register fails here."""

import inspect
import pkgutil
from importlib import import_module

from django.apps import apps
from rest_framework.viewsets import ViewSetMixin

from shouhu.api import router

# (prefix, basename) of every route, by app, as shouhu/api.py registered them before.
ROUTES = {
    "areas": {("areas", "area"), ("service-points", "service-point")},
    "people": {
        ("people", "person"),
        ("responsibility-posts", "responsibility-post"),
        ("tokens", "token"),
    },
    "children": {("children", "child"), ("concerns", "concern")},
    "care": {("visits", "visit"), ("activities", "activity")},
    "relief": {
        ("programmes", "programme"),
        ("relief-measures", "relief-measure"),
        ("assistance-contacts", "assistance-contact"),
    },
    "social": {
        ("organisations", "organisation"),
        ("helpers", "helper"),
        ("pairings", "pairing"),
        ("service-records", "service-record"),
    },
    "concerns": {
        ("reports-of-concern", "report-of-concern"),
        ("public-reports", "public-report"),
    },
    "rounds": {("rounds", "round"), ("returns", "return")},
    "stats": {("stats", "stats")},
    "outbox": {("outbox", "outbox")},
}


def test_the_router_holds_todays_routes_once_each():
    routes = [(prefix, basename) for prefix, _viewset, basename in router.registry]
    assert len(routes) == len(set(routes))
    assert set(routes) == set().union(*ROUTES.values())


def test_every_route_is_registered_by_the_app_that_defines_its_viewset():
    for prefix, viewset, basename in router.registry:
        app = apps.get_containing_app_config(viewset.__module__).label
        assert (prefix, basename) in ROUTES.get(app, set()), f"{prefix} is not {app}'s route"


def _api_modules(app: str):
    """An app's api module, and each module of its api package (children/api/concerns.py)."""
    api = import_module(f"{app}.api")
    yield api
    for info in pkgutil.iter_modules(getattr(api, "__path__", [])):
        yield import_module(f"{api.__name__}.{info.name}")


def test_every_viewset_an_app_defines_is_registered():
    registered = {viewset for _prefix, viewset, _basename in router.registry}
    for app in ROUTES:
        for module in _api_modules(app):
            module_name = module.__name__
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if not issubclass(value, ViewSetMixin) or value.__module__ != module.__name__:
                    continue
                # A base that routed viewsets build on (relief's ChildRecordViewSet) has none.
                if any(issubclass(other, value) for other in registered):
                    continue
                raise AssertionError(f"{module_name}.{value.__name__} has no route")
