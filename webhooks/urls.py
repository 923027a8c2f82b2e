from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("account/webhooks", views.webhooks_page, name="webhooks_page"),
    path("account/webhooks/secret", views.signing_secret_rotate, name="signing_secret_rotate"),
    path(
        "account/webhooks/<uuid:public_id>/delete",
        views.endpoint_delete,
        name="endpoint_delete",
    ),
]
