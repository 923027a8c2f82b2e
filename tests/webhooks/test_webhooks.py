"""Webhooks: a finished comparison is POSTed, signed as Stripe signs its events, to the
account's endpoints and to the request's own callback_url; a failing receiver gets it again
(a real Celery worker retries with backoff); refused addresses are refused at submit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from billing import selectors as billing
from comparisons.models import Comparison
from tests.conftest import ARTIFACTS, RUN_ID, _start_worker, _wait_for_ping
from webhooks import services, signing
from webhooks.models import WebhookDelivery


@dataclass
class Receiver:
    """An HTTP receiver on loopback that answers the first `failures` POSTs with 500."""

    failures: int = 0
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            failing = len(state.requests) <= state.failures
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()


@pytest.fixture
def hooks_worker(worker_env, receiver) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A worker of this test's own on its own webhook queue, allowed to POST to the receiver,
    retrying after 1 s, 2 s, … so three attempts take seconds."""
    queue = f"hooks-{RUN_ID}-{os.getpid()}"
    env = {
        **worker_env,
        "CELERY_WEBHOOK_QUEUE": queue,
        "WEBHOOK_RETRY_BASE_S": "1",
        "WEBHOOK_TEST_LOOPBACK_PORTS": str(receiver.port),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    hostname = f"{queue}@localhost"
    command_env = {**env}
    process = _start_worker(command_env, ARTIFACTS / f"{queue}.log", hostname, queues=queue)
    try:
        _wait_for_ping(process, hostname, timeout=90)
        with override_settings(
            CELERY_WEBHOOK_QUEUE=queue, WEBHOOK_TEST_LOOPBACK_PORTS=frozenset({receiver.port})
        ):
            yield queue
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_signature_verifies_and_a_tampered_body_does_not() -> None:
    secret = signing.secret_new()
    body = b'{"status":"done","similarity":92.4}'
    header = signing.signature(secret, body)
    assert signing.verify(secret, header, body)
    assert not signing.verify(secret, header, body.replace(b"92.4", b"99.9"))
    assert not signing.verify(signing.secret_new(), header, body)
    stale = signing.signature(secret, body, timestamp=int(time.time()) - 3600)
    assert not signing.verify(secret, stale, body)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "ftp://example.com/hook",
    ],
)
def test_it_refuses_a_callback_to_a_refused_address_at_submit(alice, images, url):
    services.signing_secret_rotate(user=alice.user)
    response = alice.compare(images["astronaut"], images["coffee"], callback_url=url)
    assert response.status_code == 400, response.content
    assert response.json()["error"] in ("callback_not_allowed", "bad_request")
    assert not Comparison.objects.filter(user=alice.user).exists()
    assert billing.credits_remaining(user=alice.user) == 10


def test_it_refuses_a_callback_when_the_account_has_no_signing_secret(alice, images, receiver):
    with override_settings(WEBHOOK_TEST_LOOPBACK_PORTS=frozenset({receiver.port})):
        response = alice.compare(images["astronaut"], images["coffee"], callback_url=receiver.url)
    assert response.status_code == 400 and response.json()["error"] == "no_signing_secret"
    assert "Webhooks" in response.json()["detail"]
    assert billing.credits_remaining(user=alice.user) == 10


def test_it_refuses_an_endpoint_that_redirects_to_a_refused_address(alice, receiver):
    """A 307 to another loopback port is checked from scratch and refused, not followed."""
    import http.server

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:9/internal")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        with override_settings(WEBHOOK_TEST_LOOPBACK_PORTS=frozenset({port})):
            services.signing_secret_rotate(user=alice.user)
            comparison = Comparison.objects.create(
                user=alice.user, media_type="image", threshold=85, status="done", similarity=50,
                callback_url=f"http://127.0.0.1:{port}/hook",
            )  # fmt: skip
            delivery = services.deliveries_start(comparison=comparison)[0]
            with pytest.raises(services.DeliveryFailed):
                services.delivery_attempt(delivery_id=delivery.id)
    finally:
        server.shutdown()
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "127.0.0.1" in delivery.last_error and "not" in delivery.last_error


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_twice_gets_the_signed_result_on_the_third_attempt(
    hooks_worker, alice, images, receiver
):
    receiver.failures = 2
    secret = services.signing_secret_rotate(user=alice.user).secret
    response = alice.compare(images["astronaut"], images["coffee"], callback_url=receiver.url)
    assert response.status_code == 200, response.content
    job_id = response.json()["job_id"]
    delivered = WebhookDelivery.objects.filter(comparison_id=job_id, status="delivered")
    _wait_for(delivered.exists, 60, "the third attempt to be delivered")
    assert len(receiver.requests) == 3
    for headers, body in receiver.requests:
        assert signing.verify(secret, headers["diffall-signature"], body)
        assert not signing.verify(secret, headers["diffall-signature"], body + b" ")
    headers, body = receiver.requests[-1]
    assert headers["diffall-event"] == "comparison.done"
    poll = alice.client.get(f"/api/v1/compare/{job_id}").json()
    assert json.loads(body) == poll
    delivery = delivered.get()
    assert (delivery.attempts, delivery.last_status_code) == (3, 200)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_endpoint_gets_every_finished_comparison_signed_with_its_own_secret(
    hooks_worker, alice, images, texts, receiver
):
    endpoint = services.endpoint_create(user=alice.user, url=receiver.url)
    ok = alice.compare(images["astronaut"], images["coffee"]).json()
    failed = alice.compare(images["astronaut"], texts["apache"])
    assert failed.status_code == 400  # refused at submit: no job, so no event
    _wait_for(lambda: len(receiver.requests) >= 1, 60, "the endpoint's delivery")
    time.sleep(0.5)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert signing.verify(endpoint.secret, headers["diffall-signature"], body)
    assert json.loads(body)["job_id"] == ok["job_id"]


def test_the_webhooks_page_shows_a_new_secret_once_and_the_delivery_log(client, alice, receiver):
    client.force_login(alice.user)
    with override_settings(WEBHOOK_TEST_LOOPBACK_PORTS=frozenset({receiver.port})):
        created = client.post("/account/webhooks", {"url": receiver.url})
    assert created.status_code == 200
    endpoint = alice.user.webhook_endpoints.get()
    assert endpoint.secret in created.content.decode()
    again = client.get("/account/webhooks").content.decode()
    assert receiver.url in again and endpoint.secret not in again
    refused = client.post("/account/webhooks", {"url": "http://10.1.2.3/x"}).content.decode()
    assert "non-public address" in refused
    assert alice.user.webhook_endpoints.count() == 1


def test_the_webhooks_page_is_for_signed_in_users_only(client):
    response = client.get("/account/webhooks")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
