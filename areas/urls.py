from django.urls import path

from . import views

app_name = "areas"

urlpatterns = [
    path("", views.service_point_list, name="service_point_list"),
    path("new/", views.childrens_home_new, name="childrens_home_new"),
    path("<int:pk>/", views.service_point_detail, name="service_point_detail"),
    path("<int:pk>/edit/", views.service_point_edit, name="service_point_edit"),
]
