"""The History page's previews and the original uploads are served to their owner only: anyone
else gets the styled 404, as if the comparison did not exist."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from comparisons import services, thumbnails
from comparisons.models import Comparison
from tests.personas import Persona

pytestmark = pytest.mark.django_db


def web(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def test_it_serves_a_small_preview_of_each_image(alice: Persona, images: dict) -> None:
    job = alice.compare(images["astronaut"], images["coffee"]).json()["job_id"]
    for slot in ("file1", "file2"):
        response = web(alice).get(f"/c/{job}/{slot}/thumb.png")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        preview = Image.open(io.BytesIO(response.content))
        assert preview.width <= 160 and preview.height <= 120
        assert "private" in response["Cache-Control"]


def test_it_serves_the_originals_to_their_owner(alice: Persona, images: dict, texts: dict) -> None:
    job = alice.compare(images["astronaut"], images["coffee"]).json()["job_id"]
    response = web(alice).get(f"/c/{job}/file2")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == images["coffee"].read_bytes()
    text_job = alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"]
    text = web(alice).get(f"/c/{text_job}/file1")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Disposition"].startswith("attachment")  # never rendered as a page
    assert "sandbox" in text["Content-Security-Policy"]


def test_nobody_else_can_open_them(alice: Persona, bob: Persona, images: dict) -> None:
    job = alice.compare(images["astronaut"], images["coffee"]).json()["job_id"]
    for url in (f"/c/{job}", f"/c/{job}/file1", f"/c/{job}/file2/thumb.png", f"/c/{job}/delete"):
        response = web(bob).get(url)
        assert response.status_code == 404, url
        assert 'id="error-page"' in response.content.decode()
        assert web(alice).get(url).status_code == 200, url
    anonymous = Client().get(f"/c/{job}/file1")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_it_has_no_preview_for_other_types_or_unknown_slots(alice: Persona, texts: dict) -> None:
    job = alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"]
    assert web(alice).get(f"/c/{job}/file1/thumb.png").status_code == 404
    assert web(alice).get(f"/c/{job}/file3").status_code == 404


def test_the_upload_purge_keeps_the_previews(alice: Persona, images: dict) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = alice.compare(images["astronaut"], images["coffee"]).json()["job_id"]
    assert services.uploads_purge(now=timezone.now() + timedelta(days=2)) == 1
    client = web(alice)
    assert client.get(f"/c/{job}/file1").status_code == 404  # the original is gone
    assert client.get(f"/c/{job}/file1/thumb.png").status_code == 200  # its preview is not
    comparison = Comparison.objects.get(id=job)
    assert thumbnails.thumbnail_png(comparison=comparison, slot="b")[:8] == b"\x89PNG\r\n\x1a\n"
