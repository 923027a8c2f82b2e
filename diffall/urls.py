from django.contrib import admin
from django.urls import include, path

from diffall import health, views

handler404 = "diffall.views.not_found"
handler500 = "diffall.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("billing.urls")),
    path("", include("comparisons.urls")),
    path("", include("webhooks.urls")),
]
