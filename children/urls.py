from django.urls import path, re_path

from . import views
from .views import basis as basis_views
from .views import concerns as concern_views

app_name = "children"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("new/", views.new, name="new"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("transfers/", views.transfers, name="transfers"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:pk>/", views.import_job, name="import_job"),
    path("import/<uuid:pk>/save/", views.import_save, name="import_save"),
    path("concerns/", concern_views.concern_list, name="concerns"),
    path("concerns/open/", concern_views.concern_inbox, name="concern_inbox"),
    path("concerns/<int:pk>/", concern_views.concern_detail, name="concern"),
    path("concerns/<int:pk>/<str:step>/", concern_views.concern_step, name="concern_step"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/care-level/", views.care_level, name="care_level"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/basis/", basis_views.record_basis, name="basis"),
]
