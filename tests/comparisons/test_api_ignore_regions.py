"""The `ignore_regions` option: rectangles of file1 an image comparison leaves out. Sent as a JSON
array (in a form, as its JSON text), checked before anything is fetched or charged, refused for
types other than images, stored on the job and echoed in the answer."""

from __future__ import annotations

import json

import pytest

from billing import selectors as billing
from comparisons.models import Comparison
from tests.comparisons.answers import assert_consistent
from tests.comparisons.refusals import assert_error

PATCH = {"x": 300, "y": 40, "width": 160, "height": 160}  # where astronaut_edited was pasted over


def assert_refused(response, *words: str) -> str:  # type: ignore[no-untyped-def]
    body = assert_error(response, 400, "invalid_ignore_regions")
    assert body["detail"].startswith("ignore_regions: ")
    for word in words:
        assert word in body["detail"]
    detail: str = body["detail"]
    return detail


def test_it_takes_regions_as_json_text_in_a_form_and_echoes_them(alice, images):
    regions = [PATCH, {"x": 0, "y": 0, "width": 10, "height": 12}]

    response = alice.compare(
        images["astronaut"], images["astronaut_edited"], ignore_regions=json.dumps(regions)
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ignore_regions"] == regions
    assert_consistent(body)
    stored = Comparison.objects.get(id=body["job_id"])
    assert stored.options == {"ignore_regions": regions}
    polled = alice.client.get(f"/api/v1/compare/{body['job_id']}").json()
    assert polled["ignore_regions"] == regions


def test_it_answers_an_empty_list_when_an_image_comparison_ignores_nothing(alice, images):
    body = alice.compare(images["astronaut"], images["astronaut_jpeg"]).json()

    assert body["ignore_regions"] == []


def test_it_leaves_the_ignored_region_out_of_the_score_and_the_changes(alice, images):
    seen = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    masked = alice.compare(
        images["astronaut"], images["astronaut_edited"], ignore_regions=json.dumps([PATCH])
    ).json()

    assert seen["identical"] is False and seen["changes"]
    assert masked["identical"] is True and masked["changes"] == []
    assert masked["similarity"] > seen["similarity"]


@pytest.mark.parametrize(
    ("sent", "words"),
    [
        ("[{x: 1}]", ["not valid JSON"]),
        ('{"x": 1, "y": 2, "width": 3, "height": 4}', ["JSON array"]),
        ('"a region"', ["JSON array"]),
        ('[{"x": 1, "y": 2, "width": 3}]', ["region 1", "exactly the keys"]),
        ('[{"x": 1, "y": 2, "width": 3, "height": 4, "z": 5}]', ["region 1", "exactly the keys"]),
        ('[[1, 2, 3, 4]]', ["region 1", "exactly the keys"]),
        ('[{"x": -5, "y": 2, "width": 3, "height": 4}]', ["region 1", "x is -5", "negative"]),
        (
            '[{"x": 0, "y": 0, "width": 1, "height": 1}, '
            '{"x": 0, "y": 0, "width": 1, "height": -1}]',
            ["region 2", "height is -1"],
        ),
        ('[{"x": 1.5, "y": 2, "width": 3, "height": 4}]', ["x must be a whole number", "1.5"]),
        ('[{"x": true, "y": 2, "width": 3, "height": 4}]', ["x must be a whole number"]),
        ('[{"x": "1", "y": 2, "width": 3, "height": 4}]', ["x must be a whole number"]),
        ('[{"x": NaN, "y": 2, "width": 3, "height": 4}]', ["x must be a whole number"]),
        ('[{"x": 1e999, "y": 2, "width": 3, "height": 4}]', ["x must be a whole number"]),
        ('[{"x": 1, "y": 2, "width": 0, "height": 4}]', ["region 1 is empty"]),
        ('[{"x": 1, "y": 2, "width": 5000000, "height": 4}]', ["width is 5,000,000"]),
        ("[" * 100_000 + "]" * 100_000, ["not valid JSON"]),
    ],
    ids=[
        "not-json", "an-object", "a-string", "a-key-missing", "a-key-too-many", "an-array",
        "negative-x", "negative-height-in-the-second", "a-fraction", "a-boolean", "a-string-number",
        "nan", "infinity", "empty", "beyond-any-image", "nested-too-deep",
    ],
)  # fmt: skip
def test_it_refuses_bad_regions_with_400_and_says_what_is_wrong(alice, images, sent, words):
    response = alice.compare(images["astronaut"], images["astronaut_edited"], ignore_regions=sent)

    assert_refused(response, *words)
    assert billing.credits_remaining(user=alice.user) == 10
    assert not Comparison.objects.exists()


def test_it_refuses_more_than_100_regions(alice, images):
    many = [{"x": n, "y": n, "width": 2, "height": 2} for n in range(101)]

    response = alice.compare(images["astronaut"], images["coffee"], ignore_regions=json.dumps(many))

    assert_refused(response, "101 regions", "at most 100")


def test_it_refuses_bad_regions_in_a_json_body_before_fetching_anything(alice):
    body = {
        "source_url": "http://192.0.2.1/a.png",  # never reached: the options are checked first
        "target_url": "http://192.0.2.1/b.png",
        "ignore_regions": [{"x": 0, "y": 0, "width": -1, "height": 4}],
    }

    response = alice.client.post("/api/v1/compare", body, format="json")

    assert_refused(response, "width is -1")


@pytest.mark.parametrize("kind", ["text", "subtitle"])
def test_it_refuses_regions_for_files_that_are_not_images(alice, texts, tmp_path, kind):
    if kind == "text":
        a, b = texts["apache"], texts["apache_edited"]
    else:
        a = tmp_path / "a.srt"
        a.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello there.\n")
        b = a

    response = alice.compare(a, b, ignore_regions=json.dumps([PATCH]))

    assert_refused(response, "images", f"these are {kind} files")
    assert billing.credits_remaining(user=alice.user) == 10
    assert not Comparison.objects.exists()


def test_it_treats_an_empty_field_or_list_as_no_regions(alice, texts):
    for sent in ("", "[]", "  "):
        response = alice.compare(texts["apache"], texts["apache"], ignore_regions=sent)
        assert response.status_code == 200, (sent, response.content)
