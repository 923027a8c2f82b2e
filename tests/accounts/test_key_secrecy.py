"""The raw key exists once: in the response that created it. Not in any table, not in any log
line, not in any SQL sent to the database, not in any later page or API answer."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiKey
from tests.personas import Persona


def secrets_of(raw: str) -> list[str]:
    """The whole key and the part of it that is never stored, even in pieces."""
    return [raw, raw[20:], raw[20:40]]


def tables_containing(needle: str) -> list[str]:
    """Every table whose rows, rendered as text (every column), contain `needle`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            # The table name comes from the database's own catalogue, quoted.
            query = f"SELECT count(*) FROM {quoted} AS t WHERE t::text LIKE %s"  # noqa: S608
            cursor.execute(query, [f"%{needle}%"])
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def sessions_containing(needle: str) -> list[str]:
    """Session rows are signed base64: decode them before searching."""
    return [s.session_key for s in Session.objects.all() if needle in str(s.get_decoded())]


def create_in_panel(client: Client) -> str:
    html = client.post("/keys/new", {"name": "CI"}).content.decode()
    match = re.search(r'value="(dk_live_\w+)"', html)
    assert match
    return match.group(1)


def use_it_everywhere(raw: str, api: Client, alice_client: Client) -> None:
    assert api.get("/api/v1/me", headers={"X-API-Key": raw}).status_code == 200
    typo = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert api.get("/api/v1/me", headers={"X-API-Key": typo}).status_code == 401
    alice_client.get("/account")


def test_the_search_finds_a_planted_value(alice: Persona) -> None:
    # The table scan below would pass vacuously if it could not see text columns.
    assert "accounts_user" in tables_containing("alice@example.com")


def test_the_raw_key_is_in_no_table(alice_client: Client, client: Client) -> None:
    with CaptureQueriesContext(connection) as sent:
        raw = create_in_panel(alice_client)
        use_it_everywhere(raw, client, alice_client)
    assert ApiKey.objects.count() == 1
    for secret in secrets_of(raw):
        assert tables_containing(secret) == []
        assert sessions_containing(secret) == []
        assert not any(secret in query["sql"] for query in sent.captured_queries)


def test_the_raw_key_is_in_no_log_line(
    alice_client: Client, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raw = create_in_panel(alice_client)
    use_it_everywhere(raw, client, alice_client)
    out = io.StringIO()
    call_command("create_api_key", "alice@example.com", stdout=out)
    command_key = out.getvalue().splitlines()[-1]
    use_it_everywhere(command_key, client, alice_client)
    assert "API key dk_live_" in caplog.text  # creation is logged, by its hint
    for secret in secrets_of(raw) + secrets_of(command_key):
        assert secret not in caplog.text


def test_no_later_page_or_answer_shows_the_raw_key(
    alice_client: Client, client: Client, carol_client: Client
) -> None:
    raw = create_in_panel(alice_client)
    api_key = ApiKey.objects.get()
    pages = [
        alice_client.get("/account"),
        alice_client.get("/keys/new"),
        alice_client.get(f"/keys/{api_key.public_id}/revoke"),
        client.get("/api/v1/me", headers={"X-API-Key": raw}),
        carol_client.get("/admin/accounts/apikey/"),
        carol_client.get(f"/admin/accounts/apikey/{api_key.pk}/change/"),
        carol_client.get(f"/admin/accounts/user/{api_key.user_id}/change/"),
    ]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        for secret in secrets_of(raw):
            assert secret not in response.content.decode()
