"""The people of the tests, one set for every folder (registered from tests/conftest.py): alice and
bob are customers, carol is staff (a superuser).

Each is a Persona: the account (`user`, password PASSWORD, email verified), an API key (`key` is
the raw key, `api_key` its row), an API client that sends it (`client`) and `compare()`, which
posts two files to the API. The key is issued the first time a test uses it, so a test about
creating keys starts from an account with none. `alice_client` and `carol_client` are their
website sessions (signed in, as after the sign-in form). People only one folder needs stay in its
conftest (billing's sam and dave, the browser tests' persona).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.models import ApiKey, User

PASSWORD = "correct horse battery staple"
KEY_NAME = "CI pipeline"


@dataclass
class Persona:
    user: User

    @cached_property
    def _issued(self) -> tuple[ApiKey, str]:
        return accounts.api_key_create(user=self.user, name=KEY_NAME)

    @property
    def api_key(self) -> ApiKey:
        return self._issued[0]

    @property
    def key(self) -> str:
        return self._issued[1]

    @cached_property
    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=self.key)
        return client

    def compare(self, file1: Path | None, file2: Path | None, **fields: object) -> Any:
        payload: dict[str, object] = dict(fields)
        handles = []
        for name, path in (("file1", file1), ("file2", file2)):
            if path is not None:
                handle = path.open("rb")
                handles.append(handle)
                payload[name] = handle
        try:
            return self.client.post("/api/v1/compare", payload, format="multipart")
        finally:
            for handle in handles:
                handle.close()


def make_persona(email: str, *, superuser: bool = False) -> Persona:
    """The account with this email (made with PASSWORD and a verified email when new)."""
    user, created = accounts.user_get_or_create(email=email)
    if created:
        user.set_password(PASSWORD)
        user.is_staff = user.is_superuser = superuser
        user.save(update_fields=["password", "is_staff", "is_superuser"])
    return Persona(user=user)


def signed_in_client(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


@pytest.fixture
def alice(db: None) -> Persona:
    return make_persona("alice@example.com")


@pytest.fixture
def bob(db: None) -> Persona:
    return make_persona("bob@example.com")


@pytest.fixture
def carol(db: None) -> Persona:
    return make_persona("carol@diffall.example", superuser=True)


@pytest.fixture
def alice_client(alice: Persona) -> Client:
    return signed_in_client(alice)


@pytest.fixture
def carol_client(carol: Persona) -> Client:
    return signed_in_client(carol)
