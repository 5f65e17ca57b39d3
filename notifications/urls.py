"""Included by care's urls under "notifications/", in care's namespace (see views)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
]
