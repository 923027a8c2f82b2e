"""Staff see keys (hint, owner, dates) and can revoke them; the hash is never shown."""

from __future__ import annotations

from django.test import Client

from accounts import services
from tests.accounts.conftest import IssuedKey
from tests.personas import Persona

KEYS = "/admin/accounts/apikey/"


def test_staff_see_keys_with_hint_owner_and_dates(
    carol_client: Client, alice_key: IssuedKey
) -> None:
    html = carol_client.get(KEYS).content.decode()
    assert "CI pipeline" in html
    assert alice_key.api_key.hint in html
    assert "alice@example.com" in html
    assert "Last used at" in html and "Revoked at" in html
    assert alice_key.api_key.key_hash not in html


def test_the_change_page_never_shows_the_hash(carol_client: Client, alice_key: IssuedKey) -> None:
    response = carol_client.get(f"{KEYS}{alice_key.api_key.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert alice_key.api_key.hint in html
    assert alice_key.api_key.key_hash not in html
    assert "key_hash" not in html and "Key hash" not in html


def test_the_user_page_lists_keys_without_the_hash(
    carol_client: Client, alice: Persona, alice_key: IssuedKey
) -> None:
    html = carol_client.get(f"/admin/accounts/user/{alice.user.pk}/change/").content.decode()
    assert alice_key.api_key.hint in html
    assert alice_key.api_key.key_hash not in html


def test_staff_revoke_keys_with_an_action(
    carol_client: Client, client: Client, carol: Persona, alice_key: IssuedKey
) -> None:
    response = carol_client.post(
        KEYS, {"action": "revoke", "_selected_action": [alice_key.api_key.pk]}, follow=True
    )
    assert "Revoked 1 key(s)" in response.content.decode()
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.revoked_by == carol.user
    assert client.get("/api/v1/me", headers={"X-API-Key": alice_key.raw}).status_code == 401


def test_staff_revoking_an_already_revoked_key_keeps_the_first_revocation(
    carol_client: Client, alice: Persona, alice_key: IssuedKey
) -> None:
    services.api_key_revoke(api_key=alice_key.api_key, by=alice.user)
    alice_key.api_key.refresh_from_db()
    first = alice_key.api_key.revoked_at
    response = carol_client.post(
        KEYS, {"action": "revoke", "_selected_action": [alice_key.api_key.pk]}, follow=True
    )
    assert "Revoked 0 key(s)" in response.content.decode()
    alice_key.api_key.refresh_from_db()
    assert (alice_key.api_key.revoked_at, alice_key.api_key.revoked_by) == (first, alice.user)


def test_staff_cannot_add_or_delete_keys(carol_client: Client, alice_key: IssuedKey) -> None:
    assert carol_client.get(f"{KEYS}add/").status_code == 403
    assert carol_client.get(f"{KEYS}{alice_key.api_key.pk}/delete/").status_code == 403


def test_customers_cannot_open_the_admin(alice_client: Client, alice_key: IssuedKey) -> None:
    response = alice_client.get(KEYS)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
