from django.urls import path

from comparisons import views

app_name = "comparisons"

urlpatterns = [
    path("api", views.api_docs, name="api_docs"),
    path("compare", views.compare_submit, name="compare_submit"),
    path("history", views.history, name="history"),
    path("c/<uuid:job_id>", views.comparison_page, name="comparison_page"),
    path("c/<uuid:job_id>/delete", views.comparison_delete, name="comparison_delete"),
    path("c/<uuid:job_id>/fragment", views.comparison_fragment, name="comparison_fragment"),
    path("c/<uuid:job_id>/<str:slot>", views.comparison_file, name="comparison_file"),
    path(
        "c/<uuid:job_id>/<str:slot>/thumb.png",
        views.comparison_thumbnail,
        name="comparison_thumbnail",
    ),
]
