"""Money records, read-only for everyone: corrections are new ledger entries, never edits.
Sales may read the ledger and purchases; Stripe events are raw webhook bookkeeping for
superusers (sales hold no permission for them, so the console answers 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    actions = None

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Titled by what it lists ("Ledger entries"), not "Select ledger entry to view"."""
        title = str(self.model._meta.verbose_name_plural).capitalize()
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "pool", "amount", "day", "reason", "staff")
    list_filter = ("kind", "pool")
    search_fields = ("user__email", "comparison_id", "stripe_object_id", "reason")
    list_select_related = ("user", "staff")
    date_hierarchy = "created_at"


class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "credits", "amount_cents", "currency", "status")
    list_filter = ("status",)
    search_fields = ("user__email", "stripe_session_id", "stripe_payment_intent_id")
    list_select_related = ("user",)


class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "type", "event_id", "processed_at")
    list_filter = ("type",)
    search_fields = ("event_id",)
