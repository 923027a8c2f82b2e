"""What the API offers beyond the contract: URL inputs (fetched safely), the OpenAPI schema, the
API page, and how long uploads are kept."""

from __future__ import annotations

import functools
import threading
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from comparisons import fetch, services
from comparisons.models import Comparison


class RecordingServer:
    """A plain HTTP server on loopback serving a folder, remembering every request it got."""

    def __init__(self, folder: Path) -> None:
        self.requests: list[str] = []
        recorder = self.requests

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def do_GET(self):
                recorder.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@pytest.fixture
def photo_server(images):
    server = RecordingServer(images["astronaut"].parent)
    yield server
    server.httpd.shutdown()


def test_it_refuses_urls_to_private_addresses_without_connecting(alice, photo_server):
    for body in (
        {
            "source_url": photo_server.url("astronaut.png"),
            "target_url": photo_server.url("coffee.png"),
        },
        {
            "source_url": "http://169.254.169.254/latest/meta-data/",
            "target_url": "http://10.0.0.1/",
        },
        {"source_url": "file:///etc/passwd", "target_url": photo_server.url("coffee.png")},
    ):
        response = alice.client.post("/api/v1/compare", body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["error"] == "url_not_allowed"
    assert photo_server.requests == []


def test_it_compares_two_images_by_url(alice, photo_server, monkeypatch):
    """The address check is the only thing relaxed, and only for this server's port."""
    strict = fetch.fetch_url
    only_ours = functools.partial(
        strict, is_allowed_address=lambda _a, port: port == photo_server.port
    )
    monkeypatch.setattr(fetch, "fetch_url", only_ours)
    response = alice.client.post(
        "/api/v1/compare",
        {
            "source_url": photo_server.url("astronaut.png"),
            "target_url": photo_server.url("astronaut.jpg"),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "image" and body["similarity"] > 85
    assert body["files"]["file1"]["name"] == photo_server.url("astronaut.png")
    assert photo_server.requests == ["/astronaut.png", "/astronaut.jpg"]


def test_it_mixes_an_upload_and_a_url_as_form_fields(alice, images, photo_server, monkeypatch):
    strict = fetch.fetch_url
    monkeypatch.setattr(
        fetch, "fetch_url", functools.partial(strict, is_allowed_address=lambda *_: True)
    )
    with images["astronaut"].open("rb") as upload:
        response = alice.client.post(
            "/api/v1/compare", {"file1": upload, "target_url": photo_server.url("coffee.png")}
        )
    assert response.status_code == 200 and response.json()["similarity"] < 40


def test_it_documents_every_status_code_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    post = schema["paths"]["/api/v1/compare"]["post"]
    assert set(post["responses"]) == {
        "200",
        "202",
        "400",
        "401",
        "402",
        "409",
        "413",
        "422",
        "429",
    }  # 409: an Idempotency-Key still being accepted
    poll = schema["paths"]["/api/v1/compare/{job_id}"]["get"]
    assert {"200", "401", "404", "429"} <= set(poll["responses"])
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "X-API-Key"


def test_the_api_page_shows_the_contract_with_this_servers_host(client):
    page = client.get("/api").content.decode()
    assert "curl -X POST http://testserver/api/v1/compare" in page
    for code in ("200", "202", "400", "401", "402", "413", "422", "429"):
        assert f"<td>{code}</td>" in page
    assert "3 requests/second and 60/minute per key" in page


def test_it_deletes_uploads_after_the_retention_period_and_keeps_results(alice, images, s3_server):
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    job = Comparison.objects.get(id=body["job_id"])
    bucket = s3_server.client()

    def exists(key: str) -> bool:
        return bucket.list_objects_v2(Bucket=s3_server.bucket, Prefix=key).get("KeyCount", 0) > 0

    assert exists(job.file_a) and exists(job.file_b) and exists(job.diff_file)
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=23)) == 0
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=25)) == 1
    assert not exists(job.file_a) and not exists(job.file_b)
    assert exists(job.diff_file)
    assert alice.client.get(body["diff_url"]).status_code == 200
    assert alice.client.get(f"/api/v1/compare/{job.id}").json()["similarity"] == body["similarity"]
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=26)) == 0
