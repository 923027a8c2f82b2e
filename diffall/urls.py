from django.contrib import admin
from django.urls import include, path

from diffall import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("billing.urls")),
    path("", include("comparisons.urls")),
]
