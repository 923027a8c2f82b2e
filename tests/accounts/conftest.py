"""Personas for the accounts tests: alice has a key, bob is another customer, carol is staff."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts import services
from accounts.models import ApiKey, User

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw: str


def make_user(email: str, **extra: object) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    services.email_mark_verified(user=user)
    return user


@pytest.fixture
def alice(db: None) -> User:
    return make_user("alice@example.com")


@pytest.fixture
def bob(db: None) -> User:
    return make_user("bob@example.com")


@pytest.fixture
def carol(db: None) -> User:
    return make_user("carol@diffall.example", is_staff=True, is_superuser=True)


@pytest.fixture
def alice_key(alice: User) -> IssuedKey:
    api_key, raw = services.api_key_create(user=alice, name="CI pipeline")
    return IssuedKey(api_key=api_key, raw=raw)


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def carol_client(carol: User) -> Client:
    client = Client()
    client.force_login(carol)
    return client
