"""The sales console: "Customer accounts" in the Django admin.

Search an account by email; its page shows the balance, plan, usage of the last 30 days, API keys,
purchases and ledger. Actions (on the list, or buttons on an account's page): put on Enterprise
(with an optional end date), back on free, grant or remove credits (a reason is required). Every
action goes through billing.services and writes a ledger entry naming the staff member.
The ledger, purchases and Stripe events are read-only here: money history is never edited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from accounts.selectors import api_keys_for
from billing import selectors, services
from billing.forms import CreditGrantForm, EnterpriseForm
from billing.models import CustomerAccount, EnterpriseInquiry, LedgerEntry, Purchase, StripeEvent


def _api_keys(user: User) -> list[Any]:
    """The user's API keys, through the accounts app's selector."""
    return list(api_keys_for(user=user))


def _balance(obj: CustomerAccount) -> selectors.Balance:
    """One balance read per row of the list, not one per column."""
    cached: selectors.Balance | None = getattr(obj, "_billing_balance", None)
    if cached is None:
        cached = selectors.balance_for(user=obj)
        obj._billing_balance = cached  # type: ignore[attr-defined]
    return cached


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)  # the admin serves signed-in staff only


# --- the staff actions, shared by the list's actions and the account page's buttons ------------


@dataclass(frozen=True)
class StaffAction:
    title: str
    form: type[forms.Form]
    apply: Callable[[User, dict[str, Any], User], None]
    done: str  # message, formatted with count=


def _enterprise(user: User, data: dict[str, Any], staff: User) -> None:
    services.plan_set_enterprise(user=user, until=data["until"], staff=staff)


def _grant(user: User, data: dict[str, Any], staff: User) -> None:
    services.credits_grant_admin(
        user=user, amount=data["amount"], reason=data["reason"], staff=staff
    )


STAFF_ACTIONS = {
    "put_on_enterprise": StaffAction(
        "Put on the Enterprise plan",
        EnterpriseForm,
        _enterprise,
        "{count} account(s) put on Enterprise.",
    ),
    "grant_credits": StaffAction(
        "Grant or remove credits",
        CreditGrantForm,
        _grant,
        "Credits changed on {count} account(s).",
    ),
}


@admin.register(CustomerAccount)
class CustomerAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "plan", "free_left_today", "paid_credits", "enterprise_until")
    search_fields = ("email",)
    ordering = ("email",)
    list_select_related = ("wallet",)
    actions = ("put_on_enterprise", "put_on_free", "grant_credits")
    change_form_template = "billing/admin/customer_change_form.html"
    readonly_fields = (
        "email",
        "date_joined",
        "balance_panel",
        "usage_panel",
        "keys_panel",
        "purchases_panel",
        "ledger_panel",
    )
    fieldsets = (
        (None, {"fields": ("email", "date_joined", "balance_panel")}),
        ("Usage — last 30 days", {"fields": ("usage_panel",)}),
        ("API keys", {"fields": ("keys_panel",)}),
        ("Purchases", {"fields": ("purchases_panel",)}),
        ("Ledger — latest 50 entries", {"fields": ("ledger_panel",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts sign up on the website

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # money history outlives accounts: deactivate instead

    # --- list columns -----------------------------------------------------------------------

    @admin.display(description="Plan")
    def plan(self, obj: CustomerAccount) -> str:
        return _balance(obj).plan.title()

    @admin.display(description="Free left today")
    def free_left_today(self, obj: CustomerAccount) -> int:
        return _balance(obj).free_left_today

    @admin.display(description="Paid credits")
    def paid_credits(self, obj: CustomerAccount) -> int:
        return _balance(obj).paid

    @admin.display(description="Enterprise until")
    def enterprise_until(self, obj: CustomerAccount) -> str:
        until = _balance(obj).enterprise_until
        return f"{until:%Y-%m-%d}" if until else "—"

    # --- account page panels ----------------------------------------------------------------

    def _panel(self, template: str, **context: Any) -> SafeString:
        return mark_safe(render_to_string(f"billing/admin/{template}", context))  # noqa: S308 (autoescaped template)

    @admin.display(description="Balance")
    def balance_panel(self, obj: CustomerAccount) -> SafeString:
        return self._panel("_balance.html", balance=selectors.balance_for(user=obj))

    @admin.display(description="Comparisons")
    def usage_panel(self, obj: CustomerAccount) -> SafeString:
        days = selectors.usage_for(user=obj, days=30)
        types = sorted({t for day in days for t in day.by_type})
        rows = [(day, [day.by_type.get(t, 0) for t in types]) for day in days]
        total = sum(day.total for day in days)
        return self._panel("_usage.html", types=types, rows=rows, total=total)

    @admin.display(description="Keys")
    def keys_panel(self, obj: CustomerAccount) -> SafeString:
        return self._panel("_keys.html", keys=_api_keys(obj))

    @admin.display(description="Purchases")
    def purchases_panel(self, obj: CustomerAccount) -> SafeString:
        return self._panel("_purchases.html", purchases=selectors.purchases_for(user=obj))

    @admin.display(description="Entries")
    def ledger_panel(self, obj: CustomerAccount) -> SafeString:
        return self._panel("_ledger.html", entries=selectors.ledger_for(user=obj, limit=50))

    # --- actions ------------------------------------------------------------------------------

    @admin.action(description="Put on Enterprise (unlimited)…", permissions=["change"])
    def put_on_enterprise(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        return self._form_step(request, list(queryset), "put_on_enterprise")

    @admin.action(description="Grant or remove credits…", permissions=["change"])
    def grant_credits(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        return self._form_step(request, list(queryset), "grant_credits")

    @admin.action(description="Put back on the free plan", permissions=["change"])
    def put_on_free(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for user in queryset:
            services.plan_set_free(user=user, staff=_staff(request))
        self.message_user(request, f"{len(queryset)} account(s) put back on the free plan.")

    def _form_step(
        self, request: HttpRequest, users: Sequence[User], action: str, single: bool = False
    ) -> HttpResponse | None:
        """The intermediate page of an action: show the form, or apply it once it is valid
        (None = done; the caller goes back to where the action started)."""
        spec = STAFF_ACTIONS[action]
        submitted = request.method == "POST" and "apply" in request.POST
        form = spec.form(request.POST if submitted else None)
        if submitted and form.is_valid():
            for user in users:
                spec.apply(user, form.cleaned_data, _staff(request))
            self.message_user(request, spec.done.format(count=len(users)), messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": spec.title,
            "form": form,
            "users": users,
            "action": action,
            "single": single,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "billing/admin/action_form.html", context)

    # --- the account page's buttons -----------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/enterprise/",
                wrap(self._one("put_on_enterprise")),
                name="billing_customeraccount_enterprise",
            ),
            path(
                "<int:pk>/credits/",
                wrap(self._one("grant_credits")),
                name="billing_customeraccount_credits",
            ),
            path("<int:pk>/free/", wrap(self._free_one), name="billing_customeraccount_free"),
            *super().get_urls(),
        ]

    def _account_page(self, pk: int) -> str:
        return reverse("admin:billing_customeraccount_change", args=[pk])

    def _one(self, action: str) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            if not self.has_change_permission(request):
                return HttpResponse(status=403)
            user = get_object_or_404(CustomerAccount, pk=pk)
            response = self._form_step(request, [user], action, single=True)
            return response or HttpResponseRedirect(self._account_page(pk))

        return view

    def _free_one(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST" or not self.has_change_permission(request):
            return HttpResponse(status=405 if request.method != "POST" else 403)
        user = get_object_or_404(CustomerAccount, pk=pk)
        services.plan_set_free(user=user, staff=_staff(request))
        self.message_user(request, f"{user.email} is back on the free plan.", messages.SUCCESS)
        return HttpResponseRedirect(self._account_page(pk))


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Money records are never edited by hand: corrections are new ledger entries."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "pool", "amount", "day", "reason", "staff")
    list_filter = ("kind", "pool")
    search_fields = ("user__email", "comparison_id", "stripe_object_id", "reason")
    list_select_related = ("user", "staff")
    date_hierarchy = "created_at"


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "credits", "amount_cents", "currency", "status")
    list_filter = ("status",)
    search_fields = ("user__email", "stripe_session_id", "stripe_payment_intent_id")
    list_select_related = ("user",)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "type", "event_id", "processed_at")
    list_filter = ("type",)
    search_fields = ("event_id",)


@admin.register(EnterpriseInquiry)
class EnterpriseInquiryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "name", "email", "company", "monthly_volume", "status", "account")
    list_filter = ("status",)
    list_editable = ("status",)
    search_fields = ("email", "name", "company", "message")
    readonly_fields = (
        "user",
        "name",
        "email",
        "company",
        "monthly_volume",
        "message",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # inquiries come from the website's form

    @admin.display(description="Account")
    def account(self, obj: EnterpriseInquiry) -> str:
        """The inquirer's account: the one they wrote from, else one with the same email."""
        user = obj.user or User.objects.filter(email__iexact=obj.email).first()
        if user is None:
            return "—"
        url = reverse("admin:billing_customeraccount_change", args=[user.pk])
        return format_html('<a href="{}">{}</a>', url, user.email)
