"""The History page: every comparison of the signed-in user, newest first, twenty a page, with its
mode and outcome, filtered by type, by match and by a piece of a file name."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comparisons.models import Comparison
from tests.personas import Persona

pytestmark = pytest.mark.django_db


def web(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def row(
    user: object, name_a: str, name_b: str, *, media_type: str = "text",
    similarity: float = 95.0, threshold: float = 90.0, mode: str = "", minutes_ago: int = 0,
) -> Comparison:  # fmt: skip
    """A finished comparison as the History page reads it (the page never runs an engine)."""
    comparison = Comparison.objects.create(
        user=user, media_type=media_type, mode=mode, threshold=threshold, status="done",
        similarity=similarity, name_a=name_a, name_b=name_b, progress=100,
    )  # fmt: skip
    Comparison.objects.filter(id=comparison.id).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return comparison


def names_on(html: str) -> list[str]:
    return re.findall(r'class="history-names"[^>]*>([^<]+)<', html)


def test_it_lists_only_the_users_comparisons_newest_first(alice: Persona, bob: Persona) -> None:
    row(alice.user, "old.txt", "old2.txt", minutes_ago=30)
    row(alice.user, "new.png", "new2.png", media_type="image", mode="feature", minutes_ago=1)
    row(bob.user, "bobs-secret.txt", "b.txt")
    html = web(alice).get("/history").content.decode()
    assert [n.strip() for n in names_on(html)] == ["new.png", "old.txt"]
    assert "bobs-secret" not in html
    assert "feature mode" in html  # one image pair can score 8 in pixel mode and 99 in feature
    assert "2 comparisons" in html


def test_it_filters_by_type_by_match_and_by_file_name(alice: Persona) -> None:
    row(alice.user, "logo-v1.png", "logo-v2.png", media_type="image", similarity=97.0,
        threshold=85.0, mode="pixel")  # fmt: skip
    row(alice.user, "banner.png", "banner-new.png", media_type="image", similarity=40.0,
        threshold=85.0, mode="pixel")  # fmt: skip
    row(alice.user, "notes.txt", "notes-v2.txt", similarity=99.5)
    client = web(alice)

    def shown(query: str) -> list[str]:
        return [n.strip() for n in names_on(client.get(f"/history?{query}").content.decode())]

    assert shown("type=image") == ["banner.png", "logo-v1.png"]
    assert shown("type=image&match=yes") == ["logo-v1.png"]
    assert shown("match=no") == ["banner.png"]
    assert shown("q=NOTES-v2") == ["notes.txt"]  # either file's name, any case
    assert shown("q=nothing-like-this") == []
    assert shown("type=spreadsheet&match=maybe") == ["notes.txt", "banner.png", "logo-v1.png"]


def test_it_shows_twenty_a_page_and_keeps_the_filters_across_pages(alice: Persona) -> None:
    for i in range(45):
        row(alice.user, f"file-{i:02d}.txt", "other.txt", minutes_ago=i)
    client = web(alice)
    first = client.get("/history?q=file").content.decode()
    assert len(names_on(first)) == 20 and names_on(first)[0].strip() == "file-00.txt"
    assert 'href="?q=file&amp;page=2"' in first
    last = client.get("/history?q=file&page=3").content.decode()
    assert [n.strip() for n in names_on(last)] == [f"file-{i:02d}.txt" for i in range(40, 45)]
    assert client.get("/history?page=99").status_code == 200  # the last page, not an error


def test_it_sends_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/history")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
