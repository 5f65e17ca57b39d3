from core.routes import patterns

from . import views

app_name = "referrals"

# Each page's address is declared on its view (@route, core.routes).
urlpatterns = patterns(views)
