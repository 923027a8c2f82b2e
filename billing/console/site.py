"""The admin site itself: titled for DiffALL, and a home with today's business instead of a list
of database tables (superusers still find every table, under "Everything")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accounts.selectors import customers_joined_since
from billing import selectors
from billing.console.roles import SEE_CUSTOMERS, SEE_INQUIRIES

TITLE = "DiffALL sales console"


class SalesConsole(admin.AdminSite):
    site_header = TITLE
    site_title = TITLE
    index_title = "Today"
    index_template = "billing/console/home.html"
    enable_nav_sidebar = True

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        context = {**_today(request), **(extra_context or {})}
        return super().index(request, context)


def _today(request: HttpRequest) -> dict[str, Any]:
    """The home's figures and short lists, for whoever may see customers (sales, superusers)."""
    user = request.user
    if not user.has_perm(SEE_CUSTOMERS):
        return {}
    figures = selectors.sales_day()
    midnight = datetime.combine(figures.day, datetime.min.time(), tzinfo=UTC)
    context: dict[str, Any] = {
        "title": f"Today, {figures.day:%A} {figures.day.day} {figures.day:%B %Y}",
        "figures": figures,
        "new_customers": list(customers_joined_since(since=midnight)[:8]),
    }
    if user.has_perm(SEE_INQUIRIES):
        context["open_inquiries"] = list(selectors.inquiries_open()[:8])
    return context
