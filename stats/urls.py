from django.urls import path, re_path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard_root, name="dashboard_root"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/reports/", views.reports, name="reports"),
    path("<str:code>/figures/<str:name>/", views.figure, name="figure"),
    re_path(
        r"^(?P<code>[0-9]{12})/reports/(?P<round_pk>[0-9]+)\.(?P<fmt>xlsx|pdf)$",
        views.report_quarterly,
        name="report_quarterly",
    ),
    re_path(
        r"^(?P<code>[0-9]{12})/reports/(?P<year>[0-9]{4})/annual\.(?P<fmt>xlsx|pdf)$",
        views.report_annual,
        name="report_annual",
    ),
]
