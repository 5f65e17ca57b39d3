"""URLs of two-factor login (people.views.twofactor), under /accounts/two-factor/."""

from core.routes import patterns

from ..views import twofactor

app_name = "twofactor"

# Each page's address is declared on its view (@route, core.routes).
urlpatterns = patterns(twofactor)
