from django.contrib import admin

from comparisons.models import Comparison


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):
    """Read-only: jobs change only through comparisons.services."""

    list_display = ("id", "user", "media_type", "status", "similarity", "source", "created_at")
    list_filter = ("status", "media_type", "source")
    search_fields = ("id", "user__email", "name_a", "name_b")
    date_hierarchy = "created_at"
    list_select_related = ("user",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
