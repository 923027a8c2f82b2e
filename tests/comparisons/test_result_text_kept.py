"""A text result's page is built from the uploads once and kept: every later visit shows the
same page without reading or re-diffing the files, until the uploads are purged (then the page
falls back to the changes' own lines) or the comparison is deleted. And the line diff builds
only the rows it shows, with the same result as folding a row for every line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from comparisons import services, storage
from comparisons.engines.textio import align
from comparisons.models import Comparison
from comparisons.results import kept, textdiff
from comparisons.results.textdiff import LineDiff, Piece, Row, line_diff, paired
from tests.engines import media_texts
from tests.engines.media_texts import edited_lines
from tests.personas import Persona, signed_in_client

pytestmark = pytest.mark.django_db

STDLIB = Path(json.__file__).parent.parent  # Python's own library: real code, real prose


def stdlib_text(*names: str) -> str:
    return "".join((STDLIB / name).read_text(encoding="utf-8") for name in names)


@pytest.fixture
def pairs(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    """Real files with scattered edits: Python's own modules, numpy's CSV test data (cells
    changed), the OpenAPI schema minified (values changed: the page lays it out a value a line)."""
    code = stdlib_text("inspect.py", "difflib.py")
    rows = media_texts.NUMPY_COS_CSV.read_text().split("\n")
    changed_rows = [
        r.replace("0x3f8", "0x3f7", 1) if k % 97 == 5 else r for k, r in enumerate(rows)
    ]
    schema = json.loads(media_texts.OPENAPI_SCHEMA.read_text())
    edited = json.loads(json.dumps(schema).replace('"uniqueItems": true', '"uniqueItems": false'))
    found = {}
    for name, a, b in (
        ("code.txt", code, edited_lines(code, seed=1, edits=30)),
        ("cos.csv", "\n".join(rows), "\n".join(changed_rows)),
        ("schema.json", json.dumps(schema, separators=(",", ":")), json.dumps(edited)),
    ):
        found[name] = (
            media_texts.write(tmp_path / f"a-{name}", a),
            media_texts.write(tmp_path / f"b-{name}", b),
        )
    return found


def fragment(persona: Persona, job: str) -> str:
    response = signed_in_client(persona).get(f"/c/{job}/fragment")
    assert response.status_code == 200
    return response.content.decode()


def test_the_kept_page_is_the_one_built_from_the_files(alice: Persona, pairs: dict) -> None:
    for name, (a, b) in pairs.items():
        job = alice.compare(a, b).json()["job_id"]
        comparison = Comparison.objects.get(id=job)
        built = fragment(alice, job)  # the first visit builds the view and keeps it
        assert cache.get(kept._key(comparison.id)) is not None, name
        assert 'id="textdiff"' in built and "unchanged lines — show" in built, name
        assert fragment(alice, job) == built, name  # from the kept view
        kept.forget(comparison_id=comparison.id)
        assert fragment(alice, job) == built, name  # built again from the files


def test_the_kept_view_is_used_and_not_after_the_purge(alice: Persona, pairs: dict) -> None:
    a, b = pairs["code.txt"]
    job = alice.compare(a, b).json()["job_id"]
    built = fragment(alice, job)
    comparison = Comparison.objects.get(id=job)
    for name in (comparison.file_a, comparison.file_b):  # gone, but the row does not know yet
        storage.delete(name=name)
    assert fragment(alice, job) == built  # the files were not read again

    services.uploads_purge(now=timezone.now() + timedelta(days=2))
    after_purge = fragment(alice, job)
    assert "only the changed lines are shown" in after_purge
    assert "unchanged lines — show" not in after_purge  # the kept view's folds are not shown


def test_deleting_a_comparison_forgets_its_kept_view(alice: Persona, texts: dict) -> None:
    job = alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"]
    fragment(alice, job)
    comparison = Comparison.objects.get(id=job)
    assert cache.get(kept._key(comparison.id)) is not None
    services.comparison_delete(comparison_id=comparison.id, by=alice.user)
    assert cache.get(kept._key(comparison.id)) is None


def every_row_folded(text_a: str, text_b: str) -> LineDiff:
    """The line diff as it was first written: a row for every line, then folded and cut."""
    lines_a, lines_b = textdiff._lines(text_a), textdiff._lines(text_b)
    keys_a, keys_b = ([" ".join(line.split()) for line in lines] for lines in (lines_a, lines_b))
    rows: list[Row] = []
    at_a = at_b = 0
    for tag, i1, i2, j1, j2 in align(keys_a, keys_b).ops:
        if tag != "equal":
            continue
        rows += paired(lines_a[at_a:i1], lines_b[at_b:j1], at_a + 1, at_b + 1)
        rows += [
            Row(
                "same",
                i1 + k + 1,
                j1 + k + 1,
                [Piece(textdiff._shown(la))],
                [Piece(textdiff._shown(lb))],
            )
            for k, (la, lb) in enumerate(zip(lines_a[i1:i2], lines_b[j1:j2], strict=True))
        ]
        at_a, at_b = i2, j2
    rows += paired(lines_a[at_a:], lines_b[at_b:], at_a + 1, at_b + 1)
    return textdiff._limited(textdiff.fold(rows))


@pytest.mark.parametrize(
    ("name", "pair"),
    [
        ("a few edits", lambda t: (t, edited_lines(t, seed=2, edits=12))),
        ("edits past MAX_ROWS", lambda t: (t, edited_lines(t, seed=3, edits=400))),
        ("lines added at both ends", lambda t: (t, f"first\n{t}last\n")),
        ("nothing in common", lambda t: (t, media_texts.licence("GPL-3"))),
        ("one side empty", lambda t: ("", t)),
    ],
)
def test_the_line_diff_is_what_folding_every_row_gives(
    name: str, pair: Callable[[str], tuple[str, str]]
) -> None:
    text_a, text_b = pair(stdlib_text("difflib.py", "textwrap.py", "argparse.py"))
    found, expected = line_diff(text_a, text_b), every_row_folded(text_a, text_b)
    assert found == expected
    assert any(row.kind != "same" for row in found.rows)
    assert found.truncated == (
        name in ("edits past MAX_ROWS", "nothing in common", "one side empty")
    )
