"""A URLconf with a view that fails, for core/tests/test_errors.py."""

from django.urls import path


def broken(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [path("api/v1/broken/", broken)]
handler500 = "core.errors.server_error"
