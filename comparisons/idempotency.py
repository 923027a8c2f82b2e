"""Idempotent submits: `Idempotency-Key` on POST /api/v1/compare, as Stripe's API takes it.

- The first request with a key runs; its answer (status and JSON body) is kept for 24 hours.
- A replay with the same key and the same request gets that answer again: no second comparison,
  no second credit.
- The same key with a different request (other files, URLs or options) is refused.
- A replay while the first request is still being accepted is refused as a conflict; the client
  retries a moment later and then gets the kept answer.
- A request that fails forgets its key, so the client may simply try again: a failure never
  cost a credit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from comparisons.models import IdempotentRequest
from diffall.errors import DomainError

KEY_MAX_CHARS = 255
TTL = timedelta(hours=24)


class IdempotencyError(DomainError):
    code = "idempotency_error"


class InvalidIdempotencyKey(IdempotencyError):
    code = "invalid_idempotency_key"


class IdempotencyMismatch(IdempotencyError):
    code = "idempotency_mismatch"


class IdempotencyInProgress(IdempotencyError):
    code = "idempotency_in_progress"


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any] | None  # None: the answer was the diff PNG itself
    comparison_id: uuid.UUID | None


def checked_key(value: str) -> str:
    """The key as sent, or InvalidIdempotencyKey (empty, too long, or not printable ASCII)."""
    if not value or len(value) > KEY_MAX_CHARS or not value.isprintable() or not value.isascii():
        raise InvalidIdempotencyKey(
            f"Idempotency-Key must be 1 to {KEY_MAX_CHARS} printable ASCII characters, "
            "such as a UUID."
        )
    return value


def fingerprint(fields: Mapping[str, Iterable[Any]], files: Mapping[str, Iterable[bytes]]) -> str:
    """sha256 of what the request asks for: every field's values and every file's bytes."""
    digest = hashlib.sha256()
    for name in sorted(fields):
        values = [json.dumps(v, sort_keys=True, default=str) for v in fields[name]]
        digest.update(f"field {name}={values}\n".encode())
    for name in sorted(files):
        content = hashlib.sha256()
        for chunk in files[name]:
            content.update(chunk)
        digest.update(f"file {name}={content.hexdigest()}\n".encode())
    return digest.hexdigest()


def request_claim(*, user: Any, key: str, fingerprint: str) -> Replay | None:
    """None when this request is the first with `key` and must run now; a `Replay` when it
    already ran; IdempotencyMismatch / IdempotencyInProgress otherwise."""
    IdempotentRequest.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - TTL
    ).delete()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(user=user, key=key, fingerprint=fingerprint)
        return None
    except IntegrityError:
        pass
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is not None and row.fingerprint != fingerprint:
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used with a different request (other files, URLs "
            "or options). Use a new key for a new comparison."
        )
    if row is None or row.response_status is None:
        raise IdempotencyInProgress(
            "A request with this Idempotency-Key is still being accepted. Try again in a moment "
            "to get its answer."
        )
    return Replay(row.response_status, row.response_body, row.comparison_id)


def request_complete(
    *, user: Any, key: str, status: int, body: dict[str, Any] | None, comparison_id: Any
) -> None:
    IdempotentRequest.objects.filter(user=user, key=key).update(
        response_status=status, response_body=body, comparison_id=comparison_id
    )


def request_release(*, user: Any, key: str) -> None:
    """Forget a key whose request failed: nothing was charged, so a retry must be allowed."""
    IdempotentRequest.objects.filter(user=user, key=key, response_status__isnull=True).delete()


def requests_purge(*, now: Any = None) -> int:
    """Delete kept answers older than 24 hours (run by the periodic upload purge)."""
    cutoff = (now or timezone.now()) - TTL
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
