"""Through the API: files that break their format's rules in ways real tools accept are compared
(200), not refused (422), and the answer's metrics say what was repaired or skipped."""

from __future__ import annotations

from pathlib import Path

from tests.engines.media_texts import (
    OPENAPI_SCHEMA,
    cues_from,
    licence,
    sentences,
    srt,
    translations,
    vtt,
    write,
)


def test_it_compares_an_srt_without_cue_numbers(alice, tmp_path: Path) -> None:
    cues = cues_from(sentences(licence("GPL-3"))[:30])
    numbered = write(tmp_path / "a.srt", srt(cues))
    bare = write(tmp_path / "b.srt", srt(cues, numbered=False))

    response = alice.compare(numbered, bare)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["type"], body["similarity"], body["match"]) == ("subtitle", 100.0, True)
    assert body["metrics"]["parse"]["file2"]["note"] == "Read as written."


def test_it_compares_a_webvtt_file_with_nul_bytes_and_says_where_they_were(
    alice, tmp_path: Path
) -> None:
    text = vtt(cues_from(translations("fr", min_words=2)[:30]))
    clean = write(tmp_path / "a.vtt", text)
    damaged = tmp_path / "b.vtt"
    damaged.write_bytes(text.encode().replace(b"\n\n", b"\n\n\x00\n", 1))  # a NUL line

    response = alice.compare(clean, damaged)

    assert response.status_code == 200, response.content
    parse = response.json()["metrics"]["parse"]["file2"]
    assert parse["repaired"] == 1
    assert parse["issues"][0]["line"] == 3
    assert "NUL" in parse["note"]


def test_it_compares_json_holding_nan_as_text_and_says_why(alice, tmp_path: Path) -> None:
    text = OPENAPI_SCHEMA.read_text()
    with_nan = write(tmp_path / "b.json", text.replace('"minimum": 0', '"minimum": NaN', 1))

    response = alice.compare(OPENAPI_SCHEMA, with_nan)

    assert response.status_code == 200, response.content
    metrics = response.json()["metrics"]
    assert (metrics["format_a"], metrics["format_b"]) == ("json", "plain")
    assert "NaN is not a JSON value; RFC 8259" in metrics["structure"]
