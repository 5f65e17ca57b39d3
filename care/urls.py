from django.urls import include, path

from . import views

app_name = "care"

urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("children/<int:child_pk>/visit/", views.visit_new, name="visit_new"),
    path("children/<int:child_pk>/visits/", views.child_visits, name="child_visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    # Notifications live in their own app; their pages keep these addresses and names.
    path("notifications/", include("notifications.urls")),
    path("activities/", views.activities, name="activities"),
    path("compliance/", views.compliance_root, name="compliance_root"),
    path("compliance/<str:code>/", views.compliance, name="compliance"),
    path(
        "compliance/<str:code>/children/<str:figure>/",
        views.compliance_children,
        name="compliance_children",
    ),
    path(
        "compliance/<str:code>/homes/<int:year>-W<int:week>/",
        views.compliance_homes,
        name="compliance_homes",
    ),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
]
