from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from comparisons import api, views

urlpatterns = [
    path("api/v1/compare", api.CompareView.as_view(), name="api-compare"),
    path("api/v1/compare/<str:job_id>", api.CompareDetailView.as_view(), name="api-compare-detail"),
    path(
        "api/v1/compare/<str:job_id>/diff.png",
        api.CompareDiffView.as_view(),
        name="api-compare-diff",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api", views.api_docs, name="api-docs"),
    path("compare", views.compare_submit, name="compare-submit"),
    path("c/<uuid:job_id>", views.comparison_page, name="comparison-page"),
    path("c/<uuid:job_id>/delete", views.comparison_delete, name="comparison-delete"),
    path("c/<uuid:job_id>/<str:slot>", views.comparison_file, name="comparison-file"),
    path(
        "c/<uuid:job_id>/<str:slot>/thumb.png",
        views.comparison_thumbnail,
        name="comparison-thumbnail",
    ),
    path("history", views.history, name="history"),
]
