"""Sign-in abuse, through real requests: failed sign-ins slow down per account (5 in 5 minutes,
then 10 in an hour) until a password reset lifts it; sign-up and password reset are rate-limited
and answer a stranger the same whether or not an email has an account."""

from __future__ import annotations

import re
import time
import types

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.personas import PASSWORD, Persona
from tests.test_settings import PRODUCTION, manage

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"
TOO_MANY = "Too many failed login attempts"
NOT_CORRECT = "The email address and/or password you specified are not correct."


@pytest.fixture(autouse=True)
def _as_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    """Production verifies every email (DEBUG off requires it); the embedded default does not."""
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"


class Clock:
    """allauth's rate-limit clock, moved forward by the test (its windows hold minutes and
    hours); the counts still live in the real cache."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def time(self) -> float:
        return time.time() + self.ahead


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    fake = types.SimpleNamespace(time=clock.time, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr("allauth.core.internal.ratelimit.time", fake)
    return clock


def sign_in(client: Client, email: str, password: str) -> str:
    return client.post(LOGIN, {"login": email, "password": password}).content.decode()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, times: int) -> None:
    for _ in range(times):
        assert TOO_MANY not in sign_in(client, "alice@example.com", "wrong password")


def test_failed_sign_ins_slow_down_from_5_in_5_minutes_to_10_an_hour(
    client: Client, alice: Persona, clock: Clock
) -> None:
    fail(client, 5)
    assert TOO_MANY in sign_in(client, "alice@example.com", PASSWORD)
    clock.ahead = 5 * 60 + 1  # the 5-minute window has room again: 5 more guesses
    fail(client, 5)
    clock.ahead = 10 * 60 + 2  # and again, but 10 failed within the hour: still locked
    assert TOO_MANY in sign_in(client, "alice@example.com", PASSWORD)
    assert not signed_in(client)
    clock.ahead = 60 * 60 + 1  # the first five have left the hour
    sign_in(client, "alice@example.com", PASSWORD)
    assert signed_in(client)


def test_a_password_reset_by_email_lifts_the_lock(client: Client, alice: Persona) -> None:
    fail(client, 5)
    assert TOO_MANY in sign_in(client, "alice@example.com", PASSWORD)
    client.post(RESET, {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    new_password = "a brand new passphrase 8"
    client.post(form_url, {"password1": new_password, "password2": new_password})
    client.logout()
    sign_in(client, "alice@example.com", new_password)
    assert signed_in(client)


def _errors(html: str) -> list[str]:
    return re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', html, flags=re.S)


def test_sign_in_says_the_same_for_an_unknown_email_and_a_wrong_password(
    client: Client, alice: Persona
) -> None:
    wrong = sign_in(client, "alice@example.com", "wrong password")
    unknown = sign_in(Client(REMOTE_ADDR="198.51.100.9"), "nobody@example.com", "wrong password")
    assert NOT_CORRECT in wrong and NOT_CORRECT in unknown
    assert _errors(wrong) == _errors(unknown)


def _page(response, typed: str) -> str:  # type: ignore[no-untyped-def]
    """The page a stranger sees after following redirects, without per-request tokens and with
    the email they typed (which it repeats back) blanked."""
    html = response.content.decode().replace(typed, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_sign_up_with_a_registered_email_answers_as_for_a_new_one(alice: Persona) -> None:
    data = {"password1": PASSWORD + " x", "password2": PASSWORD + " x"}
    taken = Client().post(SIGNUP, {**data, "email": "alice@example.com"}, follow=True)
    new = Client().post(SIGNUP, {**data, "email": "dora@example.com"}, follow=True)
    assert taken.redirect_chain == new.redirect_chain == [("/accounts/confirm-email/", 302)]
    assert _page(taken, "alice@example.com") == _page(new, "dora@example.com")
    assert "already" not in _page(taken, "alice@example.com").lower()
    assert User.objects.filter(email="alice@example.com").count() == 1
    to_alice, to_dora = (
        next(m for m in mail.outbox if m.to == [address])
        for address in ("alice@example.com", "dora@example.com")
    )
    assert "an account using that email address already exists" in to_alice.body
    assert "/accounts/confirm-email/" in to_dora.body


def test_password_reset_answers_the_same_for_unknown_and_known_emails(alice: Persona) -> None:
    known = Client().post(RESET, {"email": "alice@example.com"}, follow=True)
    unknown = Client().post(RESET, {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert _page(known, "alice@example.com") == _page(unknown, "nobody@example.com")
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    to_nobody = next(m for m in mail.outbox if m.to == ["nobody@example.com"])
    assert "/accounts/password/reset/key/" in to_alice.body
    assert "do not have any record of such an account" in to_nobody.body
    assert "/reset/key/" not in to_nobody.body


def test_password_reset_emails_are_limited_per_address(client: Client, db: None) -> None:
    statuses = [client.post(RESET, {"email": "target@example.com"}).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len([m for m in mail.outbox if m.to == ["target@example.com"]]) == 5
    page = client.post(RESET, {"email": "target@example.com"}).content.decode()
    assert 'class="brand"' in page and "Too many attempts" in page  # the site's own 429 page


def test_sign_ups_are_limited_per_client_address(db: None) -> None:
    client = Client(REMOTE_ADDR="198.51.100.20")
    mismatched = {"email": "x@example.com", "password1": "one thing", "password2": "another"}
    statuses = [client.post(SIGNUP, mismatched).status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    assert Client(REMOTE_ADDR="198.51.100.21").post(SIGNUP, mismatched).status_code == 200


def test_production_refuses_sign_up_without_mandatory_verification() -> None:
    result = manage("check", env={**PRODUCTION, "ACCOUNT_EMAIL_VERIFICATION": "optional"})
    assert result.returncode != 0
    assert "ACCOUNT_EMAIL_VERIFICATION must be mandatory" in result.stderr
