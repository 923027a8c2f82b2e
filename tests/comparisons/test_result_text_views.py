"""Text, JSON, CSV, XML and subtitle results as the page shows them: the files line by line with
context, unchanged runs folded, the words that changed marked; values in their own syntax with
their path; CSV cells in their row; cues with SRT timecodes. After the uploads are purged the
page falls back to the changes' own before/after. Nothing a file contains is ever markup."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from comparisons import services
from comparisons.results.textdiff import Piece, line_diff, words
from tests.engines import media_texts
from tests.personas import Persona, signed_in_client

pytestmark = pytest.mark.django_db


def test_it_marks_only_the_words_that_differ() -> None:
    before, after = words('      "Licensor" shall mean', '      "Grantor" shall mean')
    assert [p.text for p in before if p.marked] == ["Licensor"]
    assert [p.text for p in after if p.marked] == ["Grantor"]
    assert "".join(p.text for p in after) == '      "Grantor" shall mean'


def test_it_folds_unchanged_runs_around_a_change_with_three_lines_of_context() -> None:
    lines = [f"line {n}" for n in range(1, 101)]
    edited = [*lines[:49], "line fifty, edited", *lines[50:]]
    rows = line_diff("\n".join(lines), "\n".join(edited)).rows
    kinds = [row.kind for row in rows]
    assert kinds == ["fold", "same", "same", "same", "changed", "same", "same", "same", "fold"]
    assert (rows[0].count, rows[-1].count) == (46, 47)
    assert [h.number_a for h in rows[0].hidden] == list(range(1, 47))  # can be unfolded
    changed = rows[4]
    assert (changed.number_a, changed.number_b) == (50, 50)
    assert [p for p in changed.a if p.marked] == [Piece("50", True)]
    assert [p for p in changed.b if p.marked] == [Piece("fifty, edited", True)]


def test_lines_that_differ_only_in_spacing_are_the_same_words() -> None:
    rows = line_diff("a b\nc  d\n", "a  b\nc d\n", context=0).rows
    assert [row.kind for row in rows] == ["fold"]


web = signed_in_client


def page_of(persona: Persona, a: Path, b: Path) -> tuple[str, str]:
    job = persona.compare(a, b).json()["job_id"]
    response = web(persona).get(f"/c/{job}")
    assert response.status_code == 200
    return job, response.content.decode()


def test_a_text_result_shows_the_changed_lines_in_context_with_words_marked(
    alice: Persona, texts: dict[str, Path], tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(texts["apache_edited"].read_text() + "<script>alert(2)</script>\n")
    job, html = page_of(alice, texts["apache"], hostile)
    assert 'id="summary">3 lines changed, 1 line added<' in html
    assert "<del>Licensor</del>" in html and "<ins>Grantor</ins>" in html
    assert re.search(r"⋯ \d+ unchanged lines — show", html)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html and "<script>alert" not in html

    services.uploads_purge(now=timezone.now() + timedelta(days=2))
    after_purge = web(alice).get(f"/c/{job}").content.decode()
    assert "only the changed lines are shown" in after_purge
    assert "<del>Licensor</del>" in after_purge and "<ins>Grantor</ins>" in after_purge


def test_identical_texts_say_so_and_show_no_diff(alice: Persona, texts: dict) -> None:
    _, html = page_of(alice, texts["apache"], texts["apache"])
    assert "Identical" in html and 'id="summary">No differences found.<' in html
    assert 'id="textdiff"' not in html and "<del>" not in html


def test_json_values_show_as_json_with_their_path(alice: Persona, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"settings": {}, "enabled": True, "owner": None, "tags": ["a"]}))
    b.write_text(
        json.dumps({"settings": [], "enabled": False, "owner": {"id": 3}, "tags": ["a", "b"]})
    )
    _, html = page_of(alice, a, b)
    values = html[html.index('id="changes"') : html.index('id="textdiff"')]
    for old, new in (("{}", "[]"), ("true", "false"), ("null", "{\n  &quot;id&quot;: 3\n}")):
        assert f"<del>{old}</del>" in values and f"<ins>{new}</ins>" in values, (old, new)
    assert "True" not in values and "None" not in values and "{'" not in values
    assert "<li><code>$</code></li><li><code>tags</code></li><li><code>[1]</code></li>" in values
    assert "not in file 1" in values  # the added tag: old and new are both shown


def test_xml_values_show_as_xml(alice: Persona, tmp_path: Path) -> None:
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_text('<shelf><book id="1">Dune</book></shelf>')
    b.write_text('<shelf><book id="2">Dune</book></shelf>')
    _, html = page_of(alice, a, b)
    assert "<li><code>shelf</code></li><li><code>book</code></li><li><code>@id</code></li>" in html
    assert "id=&quot;<del>1</del>&quot;" in html and "id=&quot;<ins>2</ins>&quot;" in html


def test_csv_cells_show_in_their_row_with_both_values(alice: Persona, tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("city,country,population\nLisbon,Portugal,545923\nPorto,Portugal,231800\n")
    b.write_text("city,country,population\nLisbon,Portugal,545923\nPorto,Portugal,232125\n")
    _, html = page_of(alice, a, b)
    start = html.index('id="csv-table"')
    table = html[start : html.index("</table>", start)]
    assert '<th scope="col">population</th>' in table
    assert "<td>Porto</td>" in table  # the unchanged cells of the row, for context
    assert "<del>231800</del>" in table and "<ins>232125</ins>" in table


def test_subtitles_show_a_cue_table_with_timecodes_and_the_delay(
    alice: Persona, tmp_path: Path
) -> None:
    cues = media_texts.cues_from(media_texts.sentences(media_texts.licence("GPL-3"))[:8])
    later = media_texts.shifted(cues, 400)
    later[3] = media_texts.Cue(later[3].start_ms, later[3].end_ms, ("Something else entirely.",))
    a = media_texts.write(tmp_path / "a.srt", media_texts.srt(cues))
    b = media_texts.write(tmp_path / "b.srt", media_texts.srt(later))
    job, html = page_of(alice, a, b)
    assert "File2&#x27;s cues come 0.4 s later" in html
    assert re.search(r"#1</span> 00:00:01,000 → 00:00:\d\d,\d{3}", html)
    assert re.search(r"#1</span> 00:00:01,400 → ", html)
    assert '<tr class="changed">' in html and "<ins>" in html

    services.uploads_purge(now=timezone.now() + timedelta(days=2))
    after_purge = web(alice).get(f"/c/{job}").content.decode()
    assert "only the cues that changed are listed" in after_purge
    assert '<tr class="changed">' in after_purge


def test_the_result_fragment_is_the_owners_only(alice: Persona, bob: Persona, texts: dict) -> None:
    job = alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"]
    fragment = web(alice).get(f"/c/{job}/fragment")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html and 'id="result"' in html
    assert "no-store" in fragment["Cache-Control"]
    assert web(bob).get(f"/c/{job}/fragment").status_code == 404
    assert Client().get(f"/c/{job}/fragment").status_code == 302
