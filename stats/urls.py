from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard_root, name="dashboard_root"),
    path("<str:code>/", views.dashboard, name="dashboard"),
]
