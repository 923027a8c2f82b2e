"""Every endpoint of the API, in one list: mounted at /api/ by diffall/urls.py. URL names are
namespaced by app (`api:compare_detail`), like every URL name in the project."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from accounts.api import MeApi
from comparisons.api import CompareDetailView, CompareDiffView, CompareView

app_name = "api"

urlpatterns = [
    path("v1/compare", CompareView.as_view(), name="compare"),
    path("v1/compare/<str:job_id>", CompareDetailView.as_view(), name="compare_detail"),
    path("v1/compare/<str:job_id>/diff.png", CompareDiffView.as_view(), name="compare_diff"),
    path("v1/me", MeApi.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
