"""Writes of the accounts app. Other apps call these, never the models directly."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts import keys
from accounts.models import ApiKey, User
from diffall.links import site_url_offline

log = logging.getLogger(__name__)

# last_used_at is a "roughly when" for the panel: writing it on every request would turn every
# API call into a write on a hot row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_ensure_demo(*, email: str, password: str) -> User:
    """The demo account of the embedded default: exists, has this password, email verified."""
    user, _ = User.objects.get_or_create(email=email)
    user.set_password(password)
    user.save(update_fields=["password"])
    email_mark_verified(user=user)
    return user


def user_get_or_create(*, email: str) -> tuple[User, bool]:
    """The account with this email, created with an unusable password when missing (the owner
    sets one through "forgot password"), its email marked verified so allauth lets it sign in."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=None)
    email_mark_verified(user=user)
    return user, created


def user_make_staff(*, user: User, group: Group) -> None:
    """Staff in one role: may sign in to the console and holds the group's permissions, nothing
    more (never a superuser through this)."""
    with transaction.atomic():
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group)


def user_set_password(*, user: User, password: str) -> None:
    """Set a password that passes the site's validators (raises ValidationError otherwise)."""
    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])


def password_set_link(*, user: User) -> str:
    """A link where the user chooses a password: the site's own password-reset page. It works
    once (the token is bound to the current password) and for PASSWORD_RESET_TIMEOUT seconds."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{site_url_offline()}{path}"


def email_mark_verified(*, user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def api_key_create(*, user: User, name: str) -> tuple[ApiKey, str]:
    """A new key for `user`. The raw key exists only in this return value: show it once."""
    for _attempt in range(3):  # a lookup-prefix collision (1 in ~10^21) just draws again
        raw = keys.generate()
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    user=user,
                    name=name.strip(),
                    lookup=keys.lookup_of(raw),
                    key_hash=keys.keyed_hash(raw, settings.API_KEY_PEPPER),
                    tail=keys.tail_of(raw),
                )
        except IntegrityError:
            continue
        log.info("API key %s created for user %s", api_key.hint, user.pk)
        return api_key, raw
    raise RuntimeError("could not draw a unique API key lookup prefix")


def api_key_revoke(*, api_key: ApiKey, by: User | None = None) -> bool:
    """Revoke the key now and for good. True when this call revoked it, False when it already was
    (the first revocation's time and author are kept)."""
    now = timezone.now()
    changed = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    )
    if changed:
        api_key.revoked_at, api_key.revoked_by = now, by
        log.info("API key %s revoked by user %s", api_key.hint, by.pk if by else None)
    else:
        api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return bool(changed)


def api_key_mark_used(*, api_key: ApiKey, now: datetime | None = None) -> bool:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION.

    The authentication has just read `last_used_at` with the key, so the common case (used less
    than a minute ago) is decided in Python and costs nothing. Otherwise one conditional UPDATE:
    its WHERE clause re-checks the time in the database, so concurrent requests on several
    processes write the row at most once per minute between them."""
    now = now or timezone.now()
    cutoff = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at > cutoff:
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff)
    written = ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
    if written:
        api_key.last_used_at = now
    return bool(written)
