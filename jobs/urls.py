from core.routes import patterns

from . import operations, views

app_name = "jobs"

# Each page's address is declared on its view (@route, core.routes).
urlpatterns = patterns(operations, views)
