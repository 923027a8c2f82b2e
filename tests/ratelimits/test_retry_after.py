"""Retry-After says exactly when a refused client may come back: waiting that long gets the next
request accepted, and it is never more than a second longer than needed."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import pytest
from django.test import override_settings


@dataclass(frozen=True)
class Timed:
    sent: float
    received: float
    status: int
    retry_after: int | None
    detail: str


def timed_get(persona, url: str) -> Timed:  # type: ignore[no-untyped-def]
    sent = time.time()
    response = persona.client.get(url)
    received = time.time()
    body = response.json()
    retry_after = int(response["Retry-After"]) if response.has_header("Retry-After") else None
    return Timed(sent, received, response.status_code, retry_after, body.get("detail", ""))


def assert_retry_after_is_tight(refused: Timed, oldest: Timed, window: float) -> None:
    """The oldest accepted request in the full window leaves it `window` seconds after it was
    accepted (some moment between its sending and its answer); Retry-After is the whole seconds
    from the refusal until strictly after that."""
    assert refused.retry_after is not None
    assert oldest.sent + window - refused.received < refused.retry_after
    assert refused.retry_after <= oldest.received + window - refused.sent + 1


@pytest.mark.ratelimits
def test_a_request_after_waiting_retry_after_is_accepted(alice):
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    accepted = [timed_get(alice, missing) for _ in range(3)]
    refused = timed_get(alice, missing)
    assert [a.status for a in accepted] == [404, 404, 404] and refused.status == 429
    assert_retry_after_is_tight(refused, accepted[0], 1.0)
    assert "3 per second and 60 per minute per key" in refused.detail
    time.sleep(refused.retry_after or 0)
    assert timed_get(alice, missing).status == 404


@pytest.mark.ratelimits
@override_settings(API_RATE_LIMITS=[(3, 1), (9, 5)])
def test_retry_after_counts_until_the_longer_window_has_room(alice):
    """Scaled windows (3 per second, 9 per 5 s): 9 accepted in three bursts a second apart fill
    the 5-second window; the refusal's Retry-After counts to when the first of them leaves it."""
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    accepted = []
    for burst in range(3):
        if burst:
            time.sleep(1.05)
        accepted += [timed_get(alice, missing) for _ in range(3)]
    refused = timed_get(alice, missing)
    assert [a.status for a in accepted] == [404] * 9 and refused.status == 429
    assert_retry_after_is_tight(refused, accepted[0], 5.0)
    assert refused.retry_after and refused.retry_after >= 2  # the 5 s window, not the 1 s one
    assert "3 per second and 9 per 5 seconds per key" in refused.detail
    time.sleep(refused.retry_after)
    assert timed_get(alice, missing).status == 404


@pytest.mark.ratelimits
@override_settings(API_RATE_LIMITS=[(3, 1), (9, 5)])
def test_a_refused_request_takes_no_place_in_any_window(alice):
    """Refusals are not counted: a client hammering through a full window is not pushed back."""
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    first = [timed_get(alice, missing) for _ in range(3)]
    refused = [timed_get(alice, missing) for _ in range(20)]
    assert {r.status for r in refused} == {429}
    time.sleep(max(0.0, first[-1].received + 1.0 - time.time()) + 0.05)
    assert [timed_get(alice, missing).status for _ in range(3)] == [404, 404, 404]
