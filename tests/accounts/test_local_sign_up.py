"""Without an SMTP server (the embedded default of `make run`), nobody could receive a
confirmation link: a new account signs in at once, and the confirmation mail is only printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core import mail
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "a-long-enough-password-for-dana-7"


def _setting(name: str, env: dict[str, str]) -> str:
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "ACCOUNT_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "diffall.settings", **env},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_it_makes_verification_optional_when_no_smtp_server_is_configured() -> None:
    assert _setting("ACCOUNT_EMAIL_VERIFICATION", {}) == "optional"
    assert _setting("ACCOUNT_EMAIL_VERIFICATION", {"EMAIL_HOST": "smtp.example"}) == "mandatory"
    explicit = {"EMAIL_HOST": "smtp.example", "ACCOUNT_EMAIL_VERIFICATION": "optional"}
    assert _setting("ACCOUNT_EMAIL_VERIFICATION", explicit) == "optional"


def test_it_signs_a_new_account_in_at_once_with_the_embedded_default(
    client: Client, db: None
) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "dana@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" in client.session  # no email round trip
    assert mail.outbox[-1].to == ["dana@example.com"]  # the confirmation is still sent (printed)
    client.logout()
    signed = client.post("/accounts/login/", {"login": "dana@example.com", "password": PASSWORD})
    assert signed.status_code == 302 and "_auth_user_id" in client.session
