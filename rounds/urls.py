from django.urls import path

from . import views

app_name = "rounds"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("open/", views.open_round, name="open"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/townships/<str:code>/", views.township, name="township"),
    path("<int:pk>/townships/<str:code>/submit/", views.township_submit, name="township_submit"),
    path("returns/<int:pk>/", views.village_return, name="return"),
    path("returns/<int:pk>/children/<int:child_pk>/", views.check, name="check"),
    path("returns/<int:pk>/submit/", views.submit, name="submit"),
    path("returns/<int:pk>/review/", views.review, name="review"),
    path("figures/<str:code>/", views.area_figures, name="figures"),
    path("inbox/", views.inbox, name="inbox"),
]
