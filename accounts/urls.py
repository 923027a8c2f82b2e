from django.urls import path

from accounts import api, views

urlpatterns = [
    path("account", views.account, name="account"),
    path("keys/new", views.key_create, name="api_key_create"),
    path("keys/<uuid:public_id>/revoke", views.key_revoke, name="api_key_revoke"),
    path("api/v1/me", api.MeApi.as_view(), name="api_me"),
]
