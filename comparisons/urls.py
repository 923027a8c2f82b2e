from django.urls import path

from comparisons import views

app_name = "comparisons"

urlpatterns = [
    path("api", views.api_docs, name="api_docs"),
    path("compare", views.compare_submit, name="compare_submit"),
    path("c/<uuid:job_id>", views.comparison_page, name="comparison_page"),
]
