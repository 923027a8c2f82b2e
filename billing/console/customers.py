"""Customers: the list (search by email, filter by plan) and the customer page, the centre of the
console. The page shows everything about one customer and carries every sales action; the
actions themselves are in customer_actions.py.

Staff (sales, superusers) are never customers: they are not listed, and their pages answer 404.
The account is never edited as a form here: each change is an action with its own permission.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import URLPattern
from django.utils import timezone

from accounts.selectors import CUSTOMER, api_keys_for
from billing import selectors
from billing.console import audit, customer_actions
from billing.console.customer_actions import plan_text
from billing.console.forms import CreditsForm, EnterpriseForm
from billing.console.roles import ADJUST_CREDITS, REVOKE_API_KEY, SEE_INQUIRIES, SET_PLAN
from billing.ledger import utc_day
from billing.models import CustomerAccount, Wallet


def balance_of(customer: CustomerAccount) -> selectors.Balance:
    """The balance from the wallet the list already fetched (select_related), once per row."""
    cached: selectors.Balance | None = getattr(customer, "_console_balance", None)
    if cached is None:
        try:
            wallet: Wallet | None = customer.wallet
        except Wallet.DoesNotExist:
            wallet = None
        cached = selectors.balance_of(wallet=wallet)
        customer._console_balance = cached  # type: ignore[attr-defined]
    return cached


class PlanFilter(admin.SimpleListFilter):
    title = "plan"
    parameter_name = "plan"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("enterprise", "Enterprise"), ("free", "Free")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        on_enterprise = selectors.enterprise_customers(now=timezone.now()).values("user_id")
        if self.value() == "enterprise":
            return queryset.filter(pk__in=on_enterprise)
        if self.value() == "free":
            return queryset.exclude(pk__in=on_enterprise)
        return queryset


class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "plan", "paid_credits", "free_left_today", "joined")
    list_filter = (PlanFilter,)
    search_fields = ("email",)
    search_help_text = "Find a customer by email (or part of it)."
    ordering = ("email",)
    list_select_related = ("wallet",)
    actions = None  # every action is on the customer's page, one customer at a time

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomerAccount]:
        return super().get_queryset(request).filter(CUSTOMER)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers sign up on the website

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # never edited as a form: each change is an action with its permission

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # money history outlives accounts

    # --- list columns -----------------------------------------------------------------------

    @admin.display(description="Plan")
    def plan(self, obj: CustomerAccount) -> str:
        return plan_text(balance_of(obj))

    @admin.display(description="Paid credits")
    def paid_credits(self, obj: CustomerAccount) -> int:
        return balance_of(obj).paid

    @admin.display(description="Free left today")
    def free_left_today(self, obj: CustomerAccount) -> int:
        return balance_of(obj).free_left_today

    @admin.display(description="Joined", ordering="date_joined")
    def joined(self, obj: CustomerAccount) -> str:
        return f"{obj.date_joined:%Y-%m-%d}"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(request, {"title": "Customers", **(extra_context or {})})

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        customer = self.customer_or_404(request, object_id)
        title = {"title": f"History of {customer.email}", **(extra_context or {})}
        return super().history_view(request, object_id, title)

    # --- the customer page ------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return customer_actions.urls(self) + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        customer = self.customer_or_404(request, object_id)
        return self.customer_page(request, customer)

    def customer_or_404(self, request: HttpRequest, object_id: str) -> CustomerAccount:
        if not self.has_view_permission(request):
            raise PermissionDenied
        customer: CustomerAccount | None = self.get_object(request, object_id)
        if customer is None:
            raise Http404("No such customer")
        return customer

    def customer_page(
        self,
        request: HttpRequest,
        customer: CustomerAccount,
        forms_: dict[str, forms.Form] | None = None,
        status: int = 200,
    ) -> TemplateResponse:
        """The page; `forms_` carries an action's bound form back with its errors."""
        context = {
            **self.admin_site.each_context(request),
            **self._page_context(request, customer),
            **self._action_forms(request, customer, forms_ or {}),
        }
        return TemplateResponse(request, "billing/console/customer.html", context, status=status)

    def _page_context(self, request: HttpRequest, customer: CustomerAccount) -> dict[str, Any]:
        balance = selectors.balance_for(user=customer)
        usage = selectors.usage_for(user=customer, days=30)
        types = sorted({t for day in usage for t in day.by_type})
        today = utc_day(timezone.now())
        return {
            "title": customer.email,
            "opts": self.model._meta,
            "customer": customer,
            "balance": balance,
            "plan": plan_text(balance),
            "comparisons_today": selectors.comparisons_on(day=today, user=customer),
            "usage_types": types,
            "usage_rows": [(day, [day.by_type.get(t, 0) for t in types]) for day in usage],
            "usage_total": sum(day.total for day in usage),
            "keys": list(api_keys_for(user=customer, include_revoked=True)),
            "purchases": list(selectors.purchases_for(user=customer)[:50]),
            "entries": selectors.ledger_for(user=customer, limit=50),
            "inquiries": (
                list(selectors.inquiries_for(user=customer))
                if request.user.has_perm(SEE_INQUIRIES)
                else None
            ),
            "history": audit.history_of(obj=customer),
        }

    def _action_forms(
        self, request: HttpRequest, customer: CustomerAccount, bound: dict[str, forms.Form]
    ) -> dict[str, Any]:
        """The action forms this user may use (a bound one when it came back with errors)."""
        user = request.user
        balance = selectors.balance_for(user=customer)
        until = balance.enterprise_until if balance.unlimited else None
        context: dict[str, Any] = {
            "can_set_plan": user.has_perm(SET_PLAN),
            "can_adjust_credits": user.has_perm(ADJUST_CREDITS),
            "can_revoke_keys": user.has_perm(REVOKE_API_KEY),
        }
        if context["can_set_plan"]:
            initial = {"until": until.date() if until else None}
            context["enterprise_form"] = bound.get("enterprise") or EnterpriseForm(initial=initial)
        if context["can_adjust_credits"]:
            context["credits_form"] = bound.get("credits") or CreditsForm()
        return context
