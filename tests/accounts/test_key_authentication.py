"""X-API-Key authentication over HTTP, through GET /api/v1/me (real PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import keys, services
from accounts.models import ApiKey, User
from tests.accounts.conftest import IssuedKey
from tests.personas import Persona

ME = "/api/v1/me"


def call_me(client: Client, key: str | None):  # type: ignore[no-untyped-def]
    headers = {} if key is None else {"X-API-Key": key}
    return client.get(ME, headers=headers)


def assert_invalid_key(response, detail_says: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "X-API-Key"
    body = response.json()
    assert set(body) == {"status", "error", "detail"}
    assert body["status"] == "error" and body["error"] == "invalid_api_key"
    assert detail_says in body["detail"]


def test_it_tells_a_valid_key_whose_it_is(client: Client, alice_key: IssuedKey) -> None:
    response = call_me(client, alice_key.raw)
    assert response.status_code == 200
    assert response.json() == {
        "email": "alice@example.com",
        "key": {"name": "CI pipeline", "hint": alice_key.api_key.hint},
        "plan": "free",
        "enterprise_until": None,
        "free_left_today": 10,
        "paid_credits": 0,
    }


def test_it_tolerates_whitespace_pasted_around_the_key(
    client: Client, alice_key: IssuedKey
) -> None:
    assert call_me(client, f"  {alice_key.raw} ").status_code == 200


def test_it_refuses_a_request_without_a_key(client: Client, db: None) -> None:
    assert_invalid_key(call_me(client, None), "X-API-Key header")


@pytest.mark.parametrize(
    "bad",
    ["", "hello", "Bearer dk_live_abc", "dk_live_" + "a" * 49, "dk_test_" + "a" * 49],
)
def test_it_refuses_a_malformed_key(client: Client, db: None, bad: str) -> None:
    assert_invalid_key(call_me(client, bad), "not hold a valid DiffALL key")


def test_it_refuses_a_truncated_key(client: Client, alice_key: IssuedKey) -> None:
    assert_invalid_key(call_me(client, alice_key.raw[:-3]), "cut short")


def test_it_refuses_a_well_formed_key_nobody_was_given(client: Client, db: None) -> None:
    assert_invalid_key(call_me(client, keys.generate()), "does not exist")


def test_it_refuses_a_forged_key_that_shares_a_lookup_prefix(
    client: Client, alice_key: IssuedKey
) -> None:
    # Same indexed lookup prefix, different secret, valid checksum: only the HMAC tells them apart.
    body = alice_key.raw[8:20] + keys.generate()[20:51]
    forged = keys.PREFIX + body + keys.checksum(body)
    assert keys.parse(forged) is not None
    assert_invalid_key(call_me(client, forged), "does not exist")


def test_it_refuses_a_revoked_key_at_once(client: Client, alice_key: IssuedKey) -> None:
    assert call_me(client, alice_key.raw).status_code == 200
    services.api_key_revoke(api_key=alice_key.api_key)
    assert_invalid_key(call_me(client, alice_key.raw), "revoked")


def test_it_refuses_the_key_of_a_disabled_account(
    client: Client, alice: Persona, alice_key: IssuedKey
) -> None:
    User.objects.filter(pk=alice.user.pk).update(is_active=False)
    assert_invalid_key(call_me(client, alice_key.raw), "disabled")


def test_it_rejects_a_mistyped_checksum_without_a_query(
    client: Client, alice_key: IssuedKey, django_assert_num_queries
) -> None:
    typo = alice_key.raw[:-1] + ("A" if alice_key.raw[-1] != "A" else "B")
    with django_assert_num_queries(0):
        response = call_me(client, typo)
    assert_invalid_key(response, "mistyped")


def test_it_authenticates_a_valid_key_with_one_indexed_query(
    client: Client, alice_key: IssuedKey, django_assert_num_queries
) -> None:
    call_me(client, alice_key.raw)  # the minute's first use also writes last_used_at
    with django_assert_num_queries(2) as captured:  # the key, then /me's own read of the balance
        assert call_me(client, alice_key.raw).status_code == 200
    assert '"billing_wallet"' in captured.captured_queries[1]["sql"]
    sql = captured.captured_queries[0]["sql"]
    assert '"accounts_apikey"."lookup" =' in sql and "INNER JOIN" in sql  # key + owner at once
    with connection.cursor() as cursor:
        # A few-row table may be scanned whatever the indexes: forbid scans to prove the
        # lookup can be answered by an index at all (and by which one).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "accounts_apikey_lookup" in plan  # the unique index, not a scan


def test_100_requests_in_a_minute_write_last_used_at_once(
    client: Client, alice_key: IssuedKey
) -> None:
    with CaptureQueriesContext(connection) as captured:
        for _ in range(100):
            assert call_me(client, alice_key.raw).status_code == 200
    writes = [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 1
    assert len(captured.captured_queries) == 1 + 100 * 2  # the write; per request key + balance
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.last_used_at is not None


def test_it_writes_last_used_at_again_after_a_minute(client: Client, alice_key: IssuedKey) -> None:
    long_ago = timezone.now() - timedelta(seconds=61)
    ApiKey.objects.filter(pk=alice_key.api_key.pk).update(last_used_at=long_ago)
    call_me(client, alice_key.raw)
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.last_used_at > long_ago + timedelta(seconds=60)


def test_two_processes_with_stale_copies_write_last_used_at_once(alice_key: IssuedKey) -> None:
    # Two web processes loaded the key before either wrote: the UPDATE's WHERE lets one through.
    first = ApiKey.objects.get(pk=alice_key.api_key.pk)
    second = ApiKey.objects.get(pk=alice_key.api_key.pk)
    assert services.api_key_mark_used(api_key=first) is True
    assert services.api_key_mark_used(api_key=second) is False


def test_the_request_carries_the_key_for_rate_limits(rf, alice_key: IssuedKey) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.request import Request

    from accounts.authentication import ApiKeyAuthentication

    request = Request(rf.get(ME, headers={"X-API-Key": alice_key.raw}))
    user, auth = ApiKeyAuthentication().authenticate(request)  # type: ignore[misc]
    assert user.email == "alice@example.com"
    assert auth.pk == alice_key.api_key.pk


def test_a_missing_header_is_left_to_the_permission_check(rf, db: None) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.request import Request

    from accounts.authentication import ApiKeyAuthentication

    assert ApiKeyAuthentication().authenticate(Request(rf.get(ME))) is None
