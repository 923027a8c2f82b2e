import pytest


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_starts_a_real_worker_that_answers_a_ping(celery_worker):
    from diffall.celery import app

    replies = app.control.ping(timeout=2.0)
    assert any(celery_worker.hostname in reply for reply in replies)
