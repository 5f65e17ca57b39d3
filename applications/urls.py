from core.routes import patterns

from . import views

app_name = "applications"
urlpatterns = patterns(views)
