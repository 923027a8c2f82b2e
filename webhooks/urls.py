from django.urls import path

from webhooks import views

urlpatterns = [
    path("account/webhooks", views.webhooks_page, name="webhooks"),
    path("account/webhooks/secret", views.signing_secret_rotate, name="webhooks-secret"),
    path(
        "account/webhooks/<uuid:public_id>/delete",
        views.endpoint_delete,
        name="webhooks-endpoint-delete",
    ),
]
