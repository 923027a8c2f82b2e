from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("account", views.account, name="account"),
    path("keys/new", views.key_create, name="key_create"),
    path("keys/<uuid:public_id>/revoke", views.key_revoke, name="key_revoke"),
]
