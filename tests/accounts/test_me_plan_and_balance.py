"""`GET /api/v1/me` answers the key's plan and balance, so a customer (or sales, with the
customer's key) can check a plan change or a grant without spending a paid comparison."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone

from billing import services
from tests.accounts.conftest import IssuedKey
from tests.personas import Persona


def me(client: Client, key: IssuedKey) -> dict[str, object]:
    response = client.get("/api/v1/me", headers={"X-API-Key": key.raw})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return {k: body[k] for k in ("plan", "enterprise_until", "free_left_today", "paid_credits")}


def test_it_answers_the_free_plan_with_what_is_left_today(
    client: Client, alice: Persona, alice_key: IssuedKey
) -> None:
    services.credits_reserve(user=alice.user, comparison_id=uuid.uuid4(), media_type="image")
    services.credits_grant_admin(user=alice.user, amount=50, reason="promo")
    assert me(client, alice_key) == {
        "plan": "free", "enterprise_until": None, "free_left_today": 9, "paid_credits": 50,
    }  # fmt: skip


def test_it_answers_enterprise_with_its_last_day(
    client: Client, alice: Persona, alice_key: IssuedKey
) -> None:
    until = datetime.combine((timezone.now() + timedelta(days=40)).date(), datetime.max.time(), UTC)
    services.plan_set_enterprise(user=alice.user, until=until)
    assert me(client, alice_key)["plan"] == "enterprise"
    assert me(client, alice_key)["enterprise_until"] == f"{until:%Y-%m-%d}"
    services.plan_set_enterprise(user=alice.user)
    assert me(client, alice_key)["enterprise_until"] is None  # no end date


def test_it_answers_free_once_an_enterprise_plan_has_ended(
    client: Client, alice: Persona, alice_key: IssuedKey
) -> None:
    two_days_ago = timezone.now() - timedelta(days=2)
    services.plan_set_enterprise(  # set two days ago, to end yesterday
        user=alice.user, until=two_days_ago + timedelta(days=1), now=two_days_ago
    )
    assert me(client, alice_key) == {
        "plan": "free", "enterprise_until": None, "free_left_today": 10, "paid_credits": 0,
    }  # fmt: skip
