"""Idempotency-Key on POST /api/v1/compare: a replay gets the first answer again and costs
nothing more; a different request under the same key, or a replay while the first is still being
accepted, is refused; a failed request frees its key."""

from __future__ import annotations

import threading
import uuid

import pytest
import requests

from billing import selectors as billing
from billing.models import Kind, LedgerEntry
from comparisons import idempotency
from comparisons.models import Comparison


def post(persona, file1, file2, key: str, **fields):  # type: ignore[no-untyped-def]
    persona.client.credentials(HTTP_X_API_KEY=persona.key, HTTP_IDEMPOTENCY_KEY=key)
    return persona.compare(file1, file2, **fields)


def test_it_answers_a_replay_with_the_first_answer_and_charges_once(alice, images):
    key = str(uuid.uuid4())
    first = post(alice, images["astronaut"], images["astronaut_edited"], key)
    again = post(alice, images["astronaut"], images["astronaut_edited"], key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Comparison.objects.filter(user=alice.user).count() == 1
    assert billing.credits_remaining(user=alice.user) == 9


def test_it_refuses_the_same_key_with_other_files(alice, images):
    key = str(uuid.uuid4())
    assert post(alice, images["astronaut"], images["astronaut_edited"], key).status_code == 200
    other = post(alice, images["astronaut"], images["coffee"], key)
    assert other.status_code == 422, other.content
    assert other.json()["error"] == "idempotency_mismatch"
    assert Comparison.objects.filter(user=alice.user).count() == 1


def test_it_refuses_the_same_key_with_other_options(alice, images):
    key = str(uuid.uuid4())
    assert post(alice, images["astronaut"], images["coffee"], key).status_code == 200
    other = post(alice, images["astronaut"], images["coffee"], key, mode="feature")
    assert other.status_code == 422 and other.json()["error"] == "idempotency_mismatch"


def test_it_answers_409_while_the_first_request_is_being_accepted(alice, images):
    key = str(uuid.uuid4())
    assert post(alice, images["astronaut"], images["coffee"], key).status_code == 200
    # the state of a key whose first request is still in flight: claimed, no answer yet
    alice.user.idempotent_requests.filter(key=key).update(response_status=None)
    replay = post(alice, images["astronaut"], images["coffee"], key)
    assert replay.status_code == 409, replay.content
    assert replay.json()["error"] == "idempotency_in_progress"
    assert Comparison.objects.filter(user=alice.user).count() == 1


def test_a_failed_request_frees_its_key(alice, images, texts):
    key = str(uuid.uuid4())
    failed = post(alice, images["astronaut"], texts["apache"], key)
    assert failed.status_code == 400 and failed.json()["error"] == "mismatched_types"
    assert not alice.user.idempotent_requests.filter(key=key).exists()
    fixed = post(alice, images["astronaut"], images["coffee"], key)
    assert fixed.status_code == 200
    assert billing.credits_remaining(user=alice.user) == 9


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_it_refuses_a_malformed_key(alice, images, key):
    response = post(alice, images["astronaut"], images["coffee"], key)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_idempotency_key"
    assert not Comparison.objects.filter(user=alice.user).exists()


def test_keys_are_per_account(alice, bob, images):
    key = str(uuid.uuid4())
    a = post(alice, images["astronaut"], images["coffee"], key).json()
    b = post(bob, images["astronaut"], images["coffee"], key).json()
    assert a["job_id"] != b["job_id"]


def test_a_kept_answer_is_forgotten_after_24_hours(alice, images):
    from datetime import timedelta

    from django.utils import timezone

    key = str(uuid.uuid4())
    post(alice, images["astronaut"], images["coffee"], key)
    assert idempotency.requests_purge(now=timezone.now() + timedelta(hours=25)) == 1
    assert post(alice, images["astronaut"], images["coffee"], key).status_code == 200
    assert Comparison.objects.filter(user=alice.user).count() == 2


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replays_cost_one_credit_and_make_one_comparison(live_server, images):  # type: ignore[no-untyped-def]
    from tests.personas import make_persona

    carol = make_persona("carol@example.com")
    key = str(uuid.uuid4())
    payload = {
        "file1": images["astronaut"].read_bytes(),
        "file2": images["astronaut_edited"].read_bytes(),
    }
    barrier = threading.Barrier(20)
    answers: list[requests.Response] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            answers.append(
                requests.post(
                    f"{live_server.url}/api/v1/compare",
                    headers={"X-API-Key": carol.key, "Idempotency-Key": key},
                    files={
                        "file1": ("a.png", payload["file1"]),
                        "file2": ("b.png", payload["file2"]),
                    },
                    timeout=120,
                )
            )
        except BaseException as exc:  # surfaced below: a thread's error must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {200, 409}, statuses
    done = [r.json() for r in answers if r.status_code == 200]
    assert done and len({body["job_id"] for body in done}) == 1
    assert Comparison.objects.filter(user=carol.user).count() == 1
    spends = LedgerEntry.objects.filter(user=carol.user, kind=Kind.SPEND).count()
    assert spends == 1
    assert billing.credits_remaining(user=carol.user) == 9
