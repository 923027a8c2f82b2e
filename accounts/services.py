"""Writes of the accounts app. Other apps call these, never the models directly."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from accounts.models import User


def user_ensure_demo(*, email: str, password: str) -> User:
    """The demo account of the embedded default: exists, has this password, email verified."""
    user, _ = User.objects.get_or_create(email=email)
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
