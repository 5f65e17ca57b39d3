from django.urls import path, re_path

from . import views

app_name = "villagefiles"

urlpatterns = [
    path("gaps/", views.gap_report, name="gaps"),
    re_path(r"^gaps/(?P<code>[0-9]{12})/$", views.gap_report, name="gaps"),
    re_path(r"^(?P<code>[0-9]{12})\.(?P<fmt>pdf|xlsx)$", views.download, name="download"),
    re_path(r"^(?P<code>[0-9]{12})/$", views.file_page, name="village_file"),
]
