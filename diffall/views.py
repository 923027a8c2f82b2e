"""The home page and the error pages. Errors under /api/ answer the API's JSON error shape;
everywhere else they are pages in the site's frame (Django's own bare or debug pages never show)."""

import sys

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static

from diffall import outages


def home(request: HttpRequest) -> HttpResponse:
    """The comparator, the balance and the latest comparisons; each panel is its own app's
    template."""
    return render(request, "home.html")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"status": "error", "error": code, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return _api_error(400, "bad_request", "The request is malformed and was refused.")
    return render(request, "400.html", status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return _api_error(403, "forbidden", "You may not do this.")
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token: nearly always a page left open too long, or
    opened before signing in or out in another tab."""
    return render(request, "403_csrf.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for unknown URLs: the API's JSON error shape under /api/, the site's page elsewhere."""
    if _wants_json(request):
        return _api_error(404, "not_found", "No such API endpoint.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if outages.is_outage(sys.exc_info()[1]):  # the database went away outside a view
        return outages.database_unavailable(request)
    if _wants_json(request):
        return _api_error(500, "internal_error", "Something broke on our side.")
    # Rendered without the request: no context processor (session, user, database) runs, so
    # the page shows even when what broke is the database.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links. The static URL is looked up per
    request, not when the URLs load: with the manifest storage that needs collectstatic first,
    and `check --deploy` runs before it."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
