from django.urls import path

from . import views

app_name = "concerns"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("inbox/", views.inbox, name="inbox"),
    path("summary/<str:code>/", views.summary, name="summary"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/link/", views.report_link, name="link"),
    path("<int:pk>/advance/", views.report_advance, name="advance"),
    path("changes/<int:child_pk>/", views.change_new, name="change_new"),
    # The public reporting page: no account needed.
    path("public/", views.public_report, name="public"),
    path("public/thanks/", views.thanks, name="thanks"),
]
