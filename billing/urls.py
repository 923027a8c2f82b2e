from django.urls import path

from billing import views, webhooks

app_name = "billing"

urlpatterns = [
    path("pricing", views.pricing, name="pricing"),
    path("billing/checkout", views.checkout, name="checkout"),
    path("billing/checkout/success", views.checkout_success, name="checkout_success"),
    path("billing/checkout/cancel", views.checkout_cancel, name="checkout_cancel"),
    path("billing/history", views.history, name="history"),
    path("billing/contact-sales", views.contact_sales, name="contact_sales"),
    path("billing/stripe/webhook", webhooks.stripe_webhook, name="stripe_webhook"),
]
