"""Enterprise inquiries ("Contact sales" from the website). Sales read them, mark them contacted,
won or closed — one at a time on the inquiry's page, or "Close" on several from the list — and
every status change is recorded in the inquiry's history. An inquiry is never deleted: nobody
holds that permission and there is no bulk delete."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import User
from accounts.selectors import customers
from billing import services
from billing.console import audit
from billing.models import OPEN_INQUIRY_STATUSES, EnterpriseInquiry, InquiryStatus


class OpenFilter(admin.SimpleListFilter):
    title = "open or closed"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open (new or contacted)"), ("closed", "Closed (won or not)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(status__in=OPEN_INQUIRY_STATUSES)
        if self.value() == "closed":
            return queryset.exclude(status__in=OPEN_INQUIRY_STATUSES)
        return queryset


class InquiryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "name", "email", "company", "monthly_volume", "status", "account")
    list_display_links = ("created_at", "name")
    list_filter = (OpenFilter, "status")
    search_fields = ("email", "name", "company", "message")
    actions = ("close",)
    fields = ("status", "name", "email", "account", "company", "monthly_volume", "message",
              "created_at")  # fmt: skip
    readonly_fields = ("name", "email", "account", "company", "monthly_volume", "message",
                       "created_at")  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # inquiries come from the website's form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # closed, never deleted: the record of what a prospect asked stays

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Account")
    def account(self, obj: EnterpriseInquiry) -> str:
        """The inquirer's customer page: the account they wrote from, else one with that email."""
        user = obj.user or customers().filter(email__iexact=obj.email).first()
        if user is None or user.is_staff:
            return "—"
        url = reverse("admin:billing_customeraccount_change", args=[user.pk])
        return format_html('<a href="{}">{}</a>', url, user.email)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        inquiry = self.get_object(request, object_id)
        if inquiry is not None:  # a page about a person, not "Change enterprise inquiry"
            extra_context = {
                "title": f"Inquiry from {inquiry.name}",
                "show_save_and_continue": False,
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(
            request, {"title": "Enterprise inquiries", **(extra_context or {})}
        )

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        inquiry = self.get_object(request, object_id)
        if inquiry is not None:  # "History of the inquiry from Erin", not "Change history: …"
            extra_context = {
                "title": f"History of the inquiry from {inquiry.name}",
                **(extra_context or {}),
            }
        return super().history_view(request, object_id, extra_context)

    def response_change(self, request: HttpRequest, obj: EnterpriseInquiry) -> HttpResponse:
        """Say what changed ('Inquiry from Erin: status New → Closed.'), then back to the list."""
        change = getattr(obj, "_console_change", "") or "nothing changed."
        messages.success(request, f"Inquiry from {obj.name}: {change}")
        return redirect(reverse("admin:billing_enterpriseinquiry_changelist"))

    def construct_change_message(  # type: ignore[override]
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> str:
        """'Status: New → Closed.' rather than Django's 'Changed Status.' (LogEntry takes a
        plain string as well as its JSON list)."""
        if "status" not in form.changed_data:
            return ""
        before = InquiryStatus(form.initial["status"]).label
        after = form.instance.get_status_display()
        form.instance._console_change = f"status {before} → {after}."  # for response_change
        return f"Status: {before} → {after}."

    @admin.action(description="Close the selected inquiries", permissions=["change"])
    def close(self, request: HttpRequest, queryset: QuerySet[EnterpriseInquiry]) -> None:
        staff = cast(User, request.user)
        closed = 0
        for inquiry in queryset.filter(status__in=OPEN_INQUIRY_STATUSES):
            before = inquiry.get_status_display()
            services.enterprise_inquiry_close(inquiry=inquiry)
            audit.record(staff=staff, obj=inquiry, message=f"Status: {before} → Closed.")
            closed += 1
        left = queryset.count() - closed
        note = f" ({left} already closed, left as they were)" if left else ""
        messages.success(request, f"Closed {closed} inquir{'y' if closed == 1 else 'ies'}{note}.")
