import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from diffall import outages


def home(request: HttpRequest) -> HttpResponse:
    """The comparator, the balance and the API-key panel; each panel is its own app's template."""
    return render(request, "home.html")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for unknown URLs: the API's JSON error shape under /api/, the site's page elsewhere."""
    if _wants_json(request):
        body = {"status": "error", "error": "not_found", "detail": "No such API endpoint."}
        return JsonResponse(body, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if outages.is_outage(sys.exc_info()[1]):  # the database went away outside a view
        return outages.database_unavailable(request)
    if _wants_json(request):
        body = {
            "status": "error",
            "error": "internal_error",
            "detail": "Something broke on our side.",
        }
        return JsonResponse(body, status=500)
    return render(request, "500.html", status=500)
