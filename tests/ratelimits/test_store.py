"""Where the counts live: Redis when the cache is Redis, memory in the embedded default (no
Redis), and when Redis is down the limits fail open instead of failing the API."""

from __future__ import annotations

import logging
import socket
import uuid

import pytest
from django.test import override_settings
from limits.storage import MemoryStorage

from diffall import ratelimits

LOCAL_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _dead_redis() -> dict[str, dict[str, object]]:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }


@pytest.mark.ratelimits
def test_it_counts_in_redis_when_the_cache_is_redis(alice):
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    assert [alice.client.get(missing).status_code for _ in range(4)] == [404, 404, 404, 429]
    assert isinstance(ratelimits.limiter().storage, ratelimits.RedisClockStorage)
    from django_redis import get_redis_connection

    keys = get_redis_connection("default").keys("*ratelimit*")
    assert any(f"key:{alice.api_key.pk}".encode() in key for key in keys)


@pytest.mark.ratelimits
@override_settings(CACHES=LOCAL_MEMORY)
def test_it_counts_in_memory_with_no_redis(alice):
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    statuses = [alice.client.get(missing).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert isinstance(ratelimits.limiter().storage, MemoryStorage)


@pytest.mark.ratelimits
def test_it_fails_open_when_redis_is_down(alice, caplog):
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    with override_settings(CACHES=_dead_redis()), caplog.at_level(logging.WARNING):
        statuses = [alice.client.get(missing).status_code for _ in range(5)]
    assert statuses == [404] * 5  # served, not limited and not a 500
    assert "rate-limit store unavailable; failing open" in caplog.text
