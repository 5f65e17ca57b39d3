"""Included by care's urls under "notifications/", in care's namespace (see views)."""

from core.routes import patterns

from . import views

# Each page's address is declared on its view (@route, core.routes).
urlpatterns = patterns(views)
