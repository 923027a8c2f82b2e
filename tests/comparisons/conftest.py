"""Personas and real inputs for the API tests: alice and bob, each with a working API key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts import services as accounts


@dataclass
class Persona:
    user: object
    key: str
    api_key: object
    client: APIClient

    def compare(self, file1: Path | None, file2: Path | None, **fields: object):  # type: ignore[no-untyped-def]
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


def make_persona(email: str) -> Persona:
    user, _ = accounts.user_get_or_create(email=email)
    api_key, raw = accounts.api_key_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return Persona(user=user, key=raw, api_key=api_key, client=client)


@pytest.fixture
def alice(db) -> Persona:
    return make_persona("alice@example.com")


@pytest.fixture
def bob(db) -> Persona:
    return make_persona("bob@example.com")
