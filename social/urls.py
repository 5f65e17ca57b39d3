from django.urls import path

from . import views

app_name = "social"

urlpatterns = [
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("helpers/", views.helpers, name="helpers"),
    path("helpers/<int:user_pk>/", views.helper_profile, name="helper_profile"),
    path("children/<int:child_pk>/", views.child_section, name="child_section"),
    path("children/<int:child_pk>/pair/", views.pair, name="pair"),
    path("children/<int:child_pk>/services/new/", views.service_new, name="service_new"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("mine/", views.my_children, name="my_children"),
    path("mine/<int:pk>/", views.helper_child, name="helper_child"),
]
