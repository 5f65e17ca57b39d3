from django.urls import path

from . import views

app_name = "relief"

urlpatterns = [
    path("programmes/", views.catalogue_list, name="catalogue"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("measures/", views.measure_list, name="measure_list"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/history/", views.measure_history, name="measure_history"),
    path("children/<int:child_pk>/", views.child_section, name="child_section"),
    path("children/<int:child_pk>/measures/new/", views.measure_new, name="measure_new"),
    path("children/<int:child_pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/end/", views.contact_end, name="contact_end"),
]
