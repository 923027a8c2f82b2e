"""manage.py create_api_key and demo_account."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import keys, selectors
from accounts.models import User
from tests.personas import PASSWORD, Persona


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def me(client: Client, raw: str):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/me", headers={"X-API-Key": raw})


def test_it_creates_the_account_and_prints_a_working_key_last(client: Client, db: None) -> None:
    lines = run("create_api_key", "New.Person@Example.com", "--name", "deploy bot")
    raw = lines[-1]
    assert keys.parse(raw) is not None
    user = User.objects.get(email="new.person@example.com")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    response = me(client, raw)
    assert response.status_code == 200
    assert response.json()["key"]["name"] == "deploy bot"


def test_it_keeps_the_password_of_an_existing_account(alice: Persona) -> None:
    run("create_api_key", "alice@example.com")
    alice.user.refresh_from_db()
    assert alice.user.check_password(PASSWORD)
    assert selectors.api_keys_for(user=alice.user).get().name == "Command line"


def test_it_refuses_something_that_is_not_an_email(db: None) -> None:
    with pytest.raises(CommandError, match="not an email address"):
        run("create_api_key", "not-an-email")
    assert not User.objects.exists()


def test_it_grants_credits_and_the_enterprise_plan_through_billing(
    client: Client, db: None
) -> None:
    from billing.selectors import balance_for

    lines = run("create_api_key", "big@example.com", "--credits", "500", "--enterprise")
    balance = balance_for(user=User.objects.get(email="big@example.com"))
    assert balance.paid == 500
    assert balance.plan == "enterprise" and balance.unlimited
    assert "Granted 500 paid credits" in lines
    assert me(client, lines[-1]).status_code == 200


def test_it_refuses_a_credit_amount_that_is_not_positive(db: None) -> None:
    with pytest.raises(CommandError, match="--credits: invalid positive value"):
        run("create_api_key", "x@example.com", "--credits", "0")
    assert not User.objects.exists()


def test_demo_account_prints_the_login_a_working_key_and_a_curl_line(
    client: Client, db: None
) -> None:
    text = "\n".join(run("demo_account", "--port", "8123"))
    assert "demo@diffall.local / diffall-demo" in text
    raw = next(word for word in text.split() if word.startswith("dk_live_"))
    assert me(client, raw).status_code == 200
    assert f"curl -X POST http://127.0.0.1:8123/api/v1/compare -H 'X-API-Key: {raw}'" in text
    assert Client().login(email="demo@diffall.local", password="diffall-demo")


def test_demo_account_revokes_the_previous_make_run_key(client: Client, db: None) -> None:
    first = next(w for w in " ".join(run("demo_account")).split() if w.startswith("dk_live_"))
    second = next(w for w in " ".join(run("demo_account")).split() if w.startswith("dk_live_"))
    assert me(client, first).status_code == 401
    assert me(client, second).status_code == 200
    demo = User.objects.get(email="demo@diffall.local")
    assert selectors.api_keys_for(user=demo).count() == 1
