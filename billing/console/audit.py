"""Every sales action is recorded as an admin LogEntry on the object it changed (the customer, or
the inquiry), written in the words the console showed; the customer's page and the admin's
History page read them back. Money moves are in the ledger as well, naming the staff member."""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from accounts.models import User


def record(*, staff: User, obj: Model, message: str) -> LogEntry:
    """Write one history line for `obj` (its own content type, proxy models included)."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return LogEntry.objects.create(
        user_id=staff.pk,
        content_type=content_type,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=CHANGE,
        change_message=message,
    )


def history_of(*, obj: Model, limit: int = 100) -> list[LogEntry]:
    """`obj`'s history, newest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    entries = LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk))
    return list(entries.select_related("user").order_by("-action_time", "-id")[:limit])
