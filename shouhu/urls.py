"""URL configuration of Shouhu."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from care import views as care_views
from care.api import WorklistView
from core import views as core_views
from core.api import AuditedObtainAuthToken
from core.forms import LockoutAuthenticationForm
from people import views as people_views

from .api import router

api_patterns = [
    path("auth/token/", AuditedObtainAuthToken.as_view(), name="auth_token"),
    path("worklist/", WorklistView.as_view(), name="worklist"),
    *router.urls,
]

urlpatterns = [
    path("", care_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # The installable app (issue 15): the service worker must be served from the root to
    # control every page.
    path("sw.js", core_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", core_views.manifest, name="manifest"),
    path("offline/", core_views.offline, name="offline"),
    path("outbox/", core_views.outbox, name="outbox"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LockoutAuthenticationForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second step of the login, and setting up two-factor login (people.twofactor).
    path("accounts/two-factor/", include("people.urls.twofactor")),
    path(
        "accounts/password/",
        people_views.AuditedPasswordChangeView.as_view(),
        name="password_change",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("homes/", include("areas.urls")),
    path("children/", include("children.urls")),
    path("care/", include("care.urls")),
    path("relief/", include("relief.urls")),
    path("applications/", include("applications.urls")),
    path("social/", include("social.urls")),
    path("reports/", include("concerns.urls")),
    path("referrals/", include("referrals.urls")),
    path("rounds/", include("rounds.urls")),
    path("registry/", include("registry.urls")),
    path("files/", include("villagefiles.urls")),
    path("dashboard/", include("stats.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include("people.urls")),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start script as a file: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="core/swagger_ui.html"
        ),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]

# Under /api/ the errors Django answers itself are JSON too (core/errors.py); a lock met
# outside a view answers 503 (core.security).
handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"
