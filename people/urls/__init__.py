from django.urls import path

from .. import views

app_name = "people"

urlpatterns = [
    path("areas/", views.area_root, name="area_root"),
    path("areas/gaps/", views.gaps, name="gaps"),
    path("areas/<str:code>/", views.area_detail, name="area_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/password/", views.person_password, name="person_password"),
    path("account/tokens/", views.my_tokens, name="my_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("people/tokens/", views.token_list, name="token_list"),
    path("responsibility/", views.responsibility_root, name="responsibility_root"),
    path("responsibility/<str:code>/", views.responsibility, name="responsibility"),
    path("responsibility/<str:code>/add/", views.post_add, name="post_add"),
    path("responsibility/posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
]
