import json

from django.test import override_settings

from diffall import health


def assert_down(response, part: str) -> None:
    """503 naming the broken part, as a state only: no host, URL or error text (the probe is
    unauthenticated, and a connection error's text names the host and port)."""
    assert response.status_code == 503
    checks = {name: "down" if name == part else "ok" for name in health.CHECKS}
    assert response.json() == {"status": "down", "checks": checks, "broken": [part]}
    body = response.content.decode()
    assert "127.0.0.1" not in body and "://" not in body and "Error" not in body


def test_it_reports_every_part_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"},
        "broken": [],
    }


def test_it_answers_503_naming_a_broken_cache(client, db):
    dead = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with override_settings(CACHES=dead):
        response = client.get("/healthz")
    assert_down(response, "cache")


def test_it_answers_503_naming_broken_storage(client, db, s3_server):
    from diffall.settings import s3_storage

    dead = {**s3_server.env, "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:1"}
    from django.conf import settings

    with override_settings(STORAGES={**settings.STORAGES, "default": s3_storage(dead)}):
        response = client.get("/healthz")
    assert_down(response, "storage")


def test_it_answers_503_naming_a_broken_broker(client, db, monkeypatch):
    from diffall.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/1")
    response = client.get("/healthz")
    assert_down(response, "broker")


def test_it_leaks_no_configuration(client, db):
    body = client.get("/healthz").content.decode()
    assert "127.0.0.1" not in body and "redis://" not in body and "postgres" not in body
    assert set(health.CHECKS) == {"database", "cache", "broker", "storage"}


def test_unknown_api_paths_answer_in_the_api_error_shape(client, db):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "status": "error",
        "error": "not_found",
        "detail": "No such API endpoint.",
    }
    assert client.get("/no-such-page").status_code == 404


def test_a_crash_under_api_answers_in_the_api_error_shape_and_elsewhere_as_a_page(rf):
    from diffall import urls, views

    assert urls.handler500 == "diffall.views.server_error"
    api = views.server_error(rf.get("/api/v1/compare"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert json.loads(api.content) == {
        "status": "error",
        "error": "internal_error",
        "detail": "Something broke on our side.",
    }
    page = views.server_error(rf.get("/c/anything"))
    assert page.status_code == 500 and b"Something broke on our side" in page.content
