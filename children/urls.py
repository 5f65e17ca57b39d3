from core.routes import patterns

from . import views
from .views import basis, concerns

app_name = "children"

# Each page's address is declared on its view (@route, core.routes).
urlpatterns = patterns(views, concerns, basis)
