from django.urls import include, path

from core.routes import patterns

from . import views

app_name = "care"

# Each page's address is declared on its view (@route, core.routes). Notifications live in
# their own app; their pages keep these addresses and names.
urlpatterns = [*patterns(views), path("notifications/", include("notifications.urls"))]
