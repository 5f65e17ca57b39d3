"""URLs of two-factor login (people.views.twofactor), under /accounts/two-factor/."""

from django.urls import path

from ..views import twofactor as views

app_name = "twofactor"

urlpatterns = [
    path("", views.setup, name="setup"),
    path("code/", views.verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("reset/<int:pk>/", views.reset, name="reset"),
]
