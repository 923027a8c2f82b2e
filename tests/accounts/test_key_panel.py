"""The API Keys panel on the account page: list, create (shown once), revoke (confirmed)."""

from __future__ import annotations

import re

from django.test import Client

from accounts import keys, selectors, services
from accounts.models import ApiKey
from tests.accounts.conftest import IssuedKey
from tests.personas import Persona

NEW = "/keys/new"


def revoke_url(api_key: ApiKey) -> str:
    return f"/keys/{api_key.public_id}/revoke"


def shown_key(html: str) -> str:
    match = re.search(r'id="new-api-key"[^>]*value="(dk_live_\w+)"', html)
    assert match, "the new key is not on the page"
    return match.group(1)


def test_it_lists_the_users_keys_on_the_account_page(
    alice_client: Client, alice_key: IssuedKey
) -> None:
    html = alice_client.get("/account").content.decode()
    assert 'id="api-keys"' in html
    assert "CI pipeline" in html
    assert alice_key.api_key.hint in html
    assert "Last used never" in html
    assert revoke_url(alice_key.api_key) in html


def test_it_shows_when_a_key_was_last_used(
    alice_client: Client, client: Client, alice_key: IssuedKey
) -> None:
    client.get("/api/v1/me", headers={"X-API-Key": alice_key.raw})
    html = alice_client.get("/account").content.decode()
    assert "Last used never" not in html and "Last used <time" in html


def test_it_does_not_list_other_peoples_or_revoked_keys(
    alice_client: Client, alice: Persona, bob: Persona
) -> None:
    services.api_key_create(user=bob.user, name="Bob's laptop")
    old, _ = services.api_key_create(user=alice.user, name="Old script")
    services.api_key_revoke(api_key=old, by=alice.user)
    html = alice_client.get("/account").content.decode()
    assert "Bob&#x27;s laptop" not in html and "Bob's laptop" not in html
    assert "Old script" not in html
    assert "No keys yet" in html


def test_it_creates_a_key_and_shows_it_once(alice_client: Client, alice: Persona) -> None:
    response = alice_client.post(NEW, {"name": "  Nightly visual diff  "})
    assert response.status_code == 200
    html = response.content.decode()
    raw = shown_key(html)
    assert keys.parse(raw) is not None
    assert "it will not be shown again" in html
    assert "no-store" in response["Cache-Control"]
    api_key = selectors.api_keys_for(user=alice.user).get()
    assert api_key.name == "Nightly visual diff"
    assert raw not in alice_client.get("/account").content.decode()


def test_a_new_key_works_straight_away(
    alice_client: Client, client: Client, alice: Persona
) -> None:
    raw = shown_key(alice_client.post(NEW, {"name": "CI"}).content.decode())
    response = client.get("/api/v1/me", headers={"X-API-Key": raw})
    assert response.status_code == 200
    assert response.json()["key"]["name"] == "CI"


def test_it_asks_again_for_a_missing_name(alice_client: Client, alice: Persona) -> None:
    response = alice_client.post(NEW, {"name": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not selectors.api_keys_for(user=alice.user).exists()


def test_it_sends_a_visitor_to_sign_in(client: Client, db: None) -> None:
    response = client.post(NEW, {"name": "CI"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ApiKey.objects.exists()


def test_it_refuses_a_form_without_its_csrf_token(alice: Persona) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.post(NEW, {"name": "CI"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_it_asks_for_confirmation_before_revoking(
    alice_client: Client, alice_key: IssuedKey
) -> None:
    response = alice_client.post(revoke_url(alice_key.api_key))
    assert response.status_code == 200
    assert "Revoke “CI pipeline”?" in response.content.decode()
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.is_active


def test_it_revokes_a_confirmed_key_at_once(
    alice_client: Client, client: Client, alice: Persona, alice_key: IssuedKey
) -> None:
    response = alice_client.post(revoke_url(alice_key.api_key), {"confirm": "yes"}, follow=True)
    html = response.content.decode()
    assert "Key “CI pipeline” revoked" in html
    assert alice_key.api_key.hint not in html
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.revoked_at is not None
    assert alice_key.api_key.revoked_by == alice.user
    assert client.get("/api/v1/me", headers={"X-API-Key": alice_key.raw}).status_code == 401


def test_revoking_twice_keeps_the_first_revocation(
    alice_client: Client, alice_key: IssuedKey
) -> None:
    alice_client.post(revoke_url(alice_key.api_key), {"confirm": "yes"})
    alice_key.api_key.refresh_from_db()
    first = alice_key.api_key.revoked_at
    response = alice_client.post(revoke_url(alice_key.api_key), {"confirm": "yes"}, follow=True)
    assert "already revoked" in response.content.decode()
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.revoked_at == first


def test_bob_cannot_revoke_alices_key(bob: Persona, alice_key: IssuedKey) -> None:
    client = Client()
    client.force_login(bob.user)
    assert client.post(revoke_url(alice_key.api_key), {"confirm": "yes"}).status_code == 404
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.is_active
