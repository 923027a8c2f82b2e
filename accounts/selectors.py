"""Reads of the accounts app. Other apps call these, never the models directly."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import ApiKey, User

# Who is a customer: every account but DiffALL's own staff (sales, superusers). One owner of the
# fact, so the sales console's lists and its figures count the same people.
CUSTOMER = Q(is_staff=False, is_superuser=False)


def customers() -> QuerySet[User]:
    """Every customer account: staff are never listed or counted as customers."""
    return User.objects.filter(CUSTOMER)


def customers_joined_since(*, since: datetime) -> QuerySet[User]:
    """Customers who signed up at or after `since`, newest first."""
    return customers().filter(date_joined__gte=since).order_by("-date_joined")


def api_keys_for(*, user: User, include_revoked: bool = False) -> QuerySet[ApiKey]:
    """The user's keys, newest first; revoked ones only when asked for."""
    keys = ApiKey.objects.filter(user=user).order_by("-created_at")
    return keys if include_revoked else keys.filter(revoked_at__isnull=True)


def api_key_by_lookup(*, lookup: str) -> ApiKey | None:
    """The key with this lookup prefix and its owner, in one indexed query (the unique index on
    `lookup`); revoked keys included, so the caller can say the key was revoked."""
    return ApiKey.objects.select_related("user").filter(lookup=lookup).first()


def api_key_of(*, user: User, public_id: uuid.UUID) -> ApiKey | None:
    """One of the user's keys by its public id; None for anyone else's (the caller answers 404)."""
    return ApiKey.objects.filter(user=user, public_id=public_id).first()
