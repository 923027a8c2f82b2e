from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The comparator, the balance and the API-key panel; each panel is its own app's template."""
    return render(request, "home.html")
