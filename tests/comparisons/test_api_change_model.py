"""The change model through the API, per type answered at once (images, text, JSON, CSV, XML,
subtitles): every change of a real comparison matches the schema's Change union, each answer is
consistent (identical, changes, summary and verdict agree), and the cases a new user found called
"Identical" — a CSV with one changed cell, a licence missing its heading — are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comparisons.models import Comparison
from tests.comparisons.answers import IDENTICAL, assert_sound
from tests.engines.media_texts import (
    FACEBOOK_LOCALES_XML,
    NUMPY_COS_CSV,
    OPENAPI_SCHEMA,
    cues_from,
    licence,
    sentences,
    srt,
    write,
)

HIGH = "High similarity — only minor differences"


def done(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    body: dict = response.json()
    assert_sound(body)
    return body


# --- a test per type: its changes match the schema, its answer agrees with itself ---------------


def test_it_answers_text_hunks_in_the_schemas_shape(alice, texts):
    body = done(alice.compare(texts["apache"], texts["apache_edited"]))

    assert body["type"] == "text" and body["identical"] is False
    assert {"lines"} == {key for c in body["changes"] for key in c} - {
        "kind", "before", "after", "magnitude",
    }  # fmt: skip
    assert any("Grantor" in (change["after"] or "") for change in body["changes"])
    assert any("Licensor" in (change["before"] or "") for change in body["changes"])
    assert body["summary"] == "3 lines changed"


def test_it_answers_json_paths_with_real_json_values(alice, tmp_path):
    document = json.loads(OPENAPI_SCHEMA.read_text())
    edited = json.loads(OPENAPI_SCHEMA.read_text())
    edited["definitions"]["Info"]["properties"]["title"]["type"] = ["string", "null"]
    edited["definitions"]["Reference"]["properties"] = {}  # was an object of properties
    edited["definitions"]["empty_before"] = {}
    document["definitions"]["empty_before"] = {"was": "empty after"}
    a = write(tmp_path / "a.json", json.dumps(document))
    b = write(tmp_path / "b.json", json.dumps(edited, indent=2))

    body = done(alice.compare(a, b))

    by_path = {change["path"]: change for change in body["changes"]}
    title = by_path["$.definitions.Info.properties.title.type"]
    assert (title["kind"], title["before"], title["after"]) == (
        "changed",
        "string",
        ["string", "null"],
    )
    emptied = by_path["$.definitions.empty_before.was"]
    assert (emptied["kind"], emptied["before"], emptied["after"]) == (
        "removed",
        "empty after",
        None,
    )
    assert all(
        isinstance(c["before"], (dict, list, str, int, float, bool, type(None)))
        for c in body["changes"]
    )
    assert body["identical"] is False


def test_it_keeps_an_empty_object_as_an_empty_object(alice, tmp_path):
    a = write(tmp_path / "a.json", json.dumps({"settings": {}, "name": "x"}))
    b = write(tmp_path / "b.json", json.dumps({"settings": [], "name": "x"}))

    body = done(alice.compare(a, b))

    assert body["changes"] == [
        {"kind": "changed", "path": "$.settings", "before": {}, "after": [], "magnitude": 1.0}
    ]
    assert body["summary"] == "$.settings changed"


def test_it_says_a_csv_with_one_changed_cell_is_not_identical(alice, tmp_path):
    lines = NUMPY_COS_CSV.read_text().split("\n")
    edited = list(lines)
    cells = edited[10].split(",")
    edited[10] = ",".join([*cells[:3], "3"])  # the ulperrortol of data row 8: 2 -> 3
    b = write(tmp_path / "cos.csv", "\n".join(edited))

    body = done(alice.compare(NUMPY_COS_CSV, b))

    assert body["similarity"] == 99.9 and body["match"] is True  # the same table...
    assert body["identical"] is False and body["verdict"] == HIGH  # ...with one cell changed
    assert body["changes"] == [
        {"kind": "changed", "cell": {"row": 8, "column": "ulperrortol"}, "before": "2",
         "after": "3", "magnitude": round(1 / 3, 3)},  # 2 -> 3: one third of the larger
    ]  # fmt: skip
    assert body["summary"] == "1 cell changed in row 8"


def test_it_answers_xml_paths_in_the_schemas_shape(alice, tmp_path):
    text = FACEBOOK_LOCALES_XML.read_text()
    b = write(tmp_path / "b.xml", text.replace("<englishName>Arabic<", "<englishName>Arab<"))

    body = done(alice.compare(FACEBOOK_LOCALES_XML, b))

    [change] = body["changes"]
    assert change["path"] == "/locales/locale[2]/englishName/text()"
    assert (change["before"], change["after"]) == ("Arabic", "Arab")


def test_it_answers_subtitle_cues_in_the_schemas_shape(alice, tmp_path):
    cues = cues_from(sentences(licence("GPL-3"))[:30])
    edited = list(cues)
    edited[3] = type(cues[3])(cues[3].start_ms + 800, cues[3].end_ms + 800, cues[3].lines)
    edited[7] = type(cues[7])(cues[7].start_ms, cues[7].end_ms, ("Other words entirely.",))
    a, b = write(tmp_path / "a.srt", srt(cues)), write(tmp_path / "b.srt", srt(edited))

    body = done(alice.compare(a, b))

    kinds = [(change["kind"], change["cue"]["source_index"]) for change in body["changes"]]
    assert kinds == [("shifted", 4), ("changed", 8)]
    assert body["summary"] == "1 cue retimed, 1 cue changed"


def test_it_answers_image_regions_in_the_schemas_shape(alice, images):
    body = done(alice.compare(images["astronaut"], images["astronaut_edited"]))

    assert body["identical"] is False
    assert all("region" in change for change in body["changes"])


@pytest.mark.parametrize("kind", ["png", "apache", "json", "csv", "xml", "srt"])
def test_it_calls_a_file_identical_to_itself_and_says_so_everywhere(
    alice, images, texts, tmp_path, kind
):
    same = {
        "png": images["astronaut"],
        "apache": texts["apache"],
        "json": OPENAPI_SCHEMA,
        "csv": NUMPY_COS_CSV,
        "xml": FACEBOOK_LOCALES_XML,
        "srt": write(tmp_path / "a.srt", srt(cues_from(sentences(licence("GPL-3"))[:20]))),
    }[kind]

    body = done(alice.compare(same, same))

    assert (body["identical"], body["verdict"], body["changes"]) == (True, IDENTICAL, [])
    stored = Comparison.objects.get(id=body["job_id"])
    assert (stored.identical, stored.summary) == (True, "No differences found.")


# --- the cases that used to read "Identical" ----------------------------------------------------


def test_it_says_a_licence_missing_its_heading_is_not_identical(alice, texts, tmp_path):
    text = texts["apache"].read_text()
    headless = write(tmp_path / "headless.txt", text.replace("Apache License\n", "", 1))

    body = done(alice.compare(texts["apache"], headless))

    assert body["similarity"] > 99  # nearly all of the words are there...
    assert (body["identical"], body["verdict"]) == (False, HIGH)  # ...but not all of them
    [heading] = body["changes"]
    assert heading["kind"] == "removed" and heading["before"].strip() == "Apache License"
    assert heading["lines"]["source_start"] == heading["lines"]["source_end"] == 2
    assert body["summary"] == "1 line removed"
    stored = Comparison.objects.get(id=body["job_id"])
    assert (stored.identical, stored.summary) == (False, "1 line removed")


def test_it_answers_identical_and_summary_only_once_a_job_is_done(alice, texts):
    body = done(alice.compare(texts["apache"], texts["apache_edited"]))
    polled = alice.client.get(f"/api/v1/compare/{body['job_id']}").json()

    assert (polled["identical"], polled["summary"]) == (body["identical"], body["summary"])
    assert polled["changes"] == body["changes"]
    assert "ignore_regions" not in polled  # an image option: texts do not show it


def test_it_stores_what_it_answered(alice, texts, tmp_path: Path):
    body = done(alice.compare(texts["apache"], texts["apache_edited"]))

    stored = Comparison.objects.get(id=body["job_id"])
    assert (stored.identical, stored.summary, stored.changes) == (
        body["identical"], body["summary"], body["changes"]
    )  # fmt: skip
