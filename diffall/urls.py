"""The site's URLs: the API (one list, diffall/api_urls.py) under /api/, then each app's pages.
Every URL name is namespaced by its app (`billing:checkout`); the two site-wide pages are `home`
and `healthz`."""

from django.contrib import admin
from django.urls import include, path

from diffall import health, views

handler400 = "diffall.views.bad_request"
handler403 = "diffall.views.forbidden"
handler404 = "diffall.views.not_found"
handler500 = "diffall.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("diffall.api_urls")),
    path("", include("accounts.urls")),
    path("", include("billing.urls")),
    path("", include("comparisons.urls")),
    path("", include("webhooks.urls")),
]
