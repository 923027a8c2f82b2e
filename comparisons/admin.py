from django.contrib import admin
from django.http import HttpRequest

from comparisons.models import Comparison


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    """Read-only: jobs change only through comparisons.services."""

    list_display = ("id", "user", "media_type", "status", "similarity", "source", "created_at")
    list_filter = ("status", "media_type", "source")
    search_fields = ("id", "user__email", "name_a", "name_b")
    date_hierarchy = "created_at"
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comparison | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Comparison | None = None) -> bool:
        return False
