"""Sign-up, email confirmation and sign-in through allauth, in the site's frame; failed logins
are throttled per account and per IP (allauth's rate limits, counted in Redis)."""

from __future__ import annotations

import importlib
import re

from django.core import mail
from django.test import Client, override_settings

from accounts.models import User
from tests.personas import PASSWORD, Persona

LOGIN = "/accounts/login/"
TOO_MANY = "Too many failed login attempts"


def sign_in(client: Client, email: str, password: str) -> str:
    return client.post(LOGIN, {"login": email, "password": password}).content.decode()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_account_pages_wear_the_site_frame(client: Client, db: None) -> None:
    for url in (LOGIN, "/accounts/signup/", "/accounts/password/reset/"):
        html = client.get(url).content.decode()
        assert 'class="brand"' in html and "accounts.css" in html, url
        assert "— DiffALL</title>" in html, url


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")  # what a server with SMTP runs
def test_it_signs_up_confirms_the_email_and_signs_in(client: Client, db: None) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "dana@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert not signed_in(client)  # mandatory verification: not before the email is confirmed
    message = mail.outbox[-1]
    assert message.to == ["dana@example.com"] and "DiffALL" in message.body
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body)
    assert link
    client.post(link.group(1))
    client.logout()
    sign_in(client, "dana@example.com", PASSWORD)
    assert signed_in(client)
    assert User.objects.get(email="dana@example.com").emailaddress_set.get().verified


def test_a_right_password_still_works_after_a_few_mistakes(client: Client, alice: Persona) -> None:
    for _ in range(4):
        sign_in(client, "alice@example.com", "wrong password")
    sign_in(client, "alice@example.com", PASSWORD)
    assert signed_in(client)


def test_it_locks_an_account_after_five_failures_even_with_the_right_password(
    client: Client, alice: Persona
) -> None:
    for _ in range(5):
        assert TOO_MANY not in sign_in(client, "alice@example.com", "wrong password")
    assert TOO_MANY in sign_in(client, "alice@example.com", PASSWORD)
    assert not signed_in(client)
    # Another address from another IP is not affected by alice's lock.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert TOO_MANY not in sign_in(other, "bob@example.com", "wrong password")


def test_it_locks_an_ip_that_guesses_across_accounts(client: Client, alice: Persona) -> None:
    for n in range(10):
        sign_in(client, f"victim{n}@example.com", "guess")
    assert TOO_MANY in sign_in(client, "alice@example.com", PASSWORD)
    assert not signed_in(client)
    elsewhere = Client(REMOTE_ADDR="198.51.100.8")
    sign_in(elsewhere, "alice@example.com", PASSWORD)
    assert signed_in(elsewhere)


def test_it_resets_a_forgotten_password_by_email(client: Client, alice: Persona) -> None:
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    new_password = "a brand new passphrase 7"
    client.post(form_url, {"password1": new_password, "password2": new_password})
    alice.user.refresh_from_db()
    assert alice.user.check_password(new_password)
    sign_in(client, "alice@example.com", new_password)
    assert signed_in(client)


def test_it_signs_out_only_with_a_post(alice_client: Client) -> None:
    alice_client.get("/accounts/logout/")
    assert signed_in(alice_client)  # a GET (an <img src>, a link) cannot sign anyone out
    alice_client.post("/accounts/logout/")
    assert not signed_in(alice_client)


def test_emails_name_diffall_not_example_com(client: Client, db: None) -> None:
    # The site row as migration 0003 leaves it (a transactional test elsewhere in the session may
    # have flushed the tables, after which Django recreates example.com).
    from django.apps import apps
    from django.contrib.sites.models import Site

    importlib.import_module("accounts.migrations.0003_site_name").name_the_site(apps, None)
    Site.objects.clear_cache()
    client.post(
        "/accounts/signup/",
        {"email": "gus@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    body = mail.outbox[-1].body
    assert mail.outbox[-1].subject.startswith("[DiffALL]")
    assert "Hello from DiffALL!" in body
    assert "example.com" not in body.replace("gus@example.com", "")
