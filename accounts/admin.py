"""Raw account records in the admin — users (passwords, staff and superuser flags, groups), API
keys, groups, sites, email addresses — are for superusers only, whatever permissions a staff user
holds: whoever can edit these can make themselves anything. Sales see customers through the sales
console's customer pages (billing/console/), which never edit a user as a form."""

from __future__ import annotations

from typing import Any, cast

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.models import ApiKey, User


class SuperuserOnly:
    """Every page of this model answers 403 to anyone but a superuser."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]


# What staff see of a key. `key_hash` is deliberately in none of these lists: the admin never
# renders it, not even read-only.
_KEY_FIELDS = ("name", "hint", "user", "created_at", "last_used_at", "revoked_at", "revoked_by")


class ApiKeyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApiKey
    fk_name = "user"
    fields = ("name", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a key is shown once to whoever creates it: that is its owner, not staff


@admin.register(User)
class UserAdmin(SuperuserOnly, BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ("email",)
    list_display = ("email", "is_active", "is_staff", "date_joined", "last_login")
    search_fields = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = (ApiKeyInline,)


@admin.register(ApiKey)
class ApiKeyAdmin(SuperuserOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "hint", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__email", "lookup")
    fields = _KEY_FIELDS
    readonly_fields = _KEY_FIELDS
    actions = ("revoke",)

    @admin.display(description="Key")
    def hint(self, obj: ApiKey) -> str:
        return obj.hint

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are created by their owner (panel) or `manage.py create_api_key`

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoke instead: the row keeps the history of who used what

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = sum(
            services.api_key_revoke(api_key=key, by=cast(User, request.user))  # staff only
            for key in queryset
        )
        messages.success(request, f"Revoked {revoked} key(s); already revoked ones are unchanged.")


def _superusers_only(model: type[Any]) -> None:
    """Re-register another app's admin page for `model` behind SuperuserOnly (those apps are
    discovered before this one, so their registrations exist)."""
    if not admin.site.is_registered(model):
        return
    base = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(f"SuperuserOnly{base.__name__}", (SuperuserOnly, base), {}))


for _model in (Group, Site, EmailAddress):
    _superusers_only(_model)
