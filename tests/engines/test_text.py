"""The text engine on real texts: Debian's licences, Django's translations, and JSON, CSV and XML
files that ship with the project's dependencies."""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import random
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jiwer
import pytest

from comparisons.engines import get_engine, textio
from comparisons.engines.base import Options, Result, UnreadableFile, no_progress
from comparisons.engines.text import engine
from tests.engines.media_texts import (
    FACEBOOK_LOCALES_XML,
    LICENCES,
    NUMPY_COS_CSV,
    NUMPY_LOG2_CSV,
    OPENAPI_SCHEMA,
    edited_words,
    licence,
    mangled,
    rewrap,
    translations,
    write,
)


def compare(a: Path, b: Path) -> Result:
    return engine.compare(a, b, Options(), no_progress)


@pytest.fixture
def gpl(tmp_path: Path) -> Path:
    return write(tmp_path / "GPL-3.txt", licence("GPL-3"))


def test_it_is_the_registered_text_engine() -> None:
    assert get_engine("text") is engine
    assert (engine.media_type, engine.runs_async) == ("text", False)


# --- plain text: the same words are the same text -----------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "newline", "reported"),
    [
        ("utf-8-sig", "\n", "utf-8 (BOM)"),
        ("utf-8", "\r\n", "utf-8"),
        ("utf-8", "\r", "utf-8"),
        ("utf-16", "\r\n", "utf-16-le (BOM)"),
        ("utf-16-be", "\n", "utf-16-be"),
        ("utf-16-le", "\r\n", "utf-16-le"),
        ("utf-32", "\n", "utf-32-le (BOM)"),
    ],
)
def test_it_scores_the_same_licence_in_another_encoding_and_line_ending_100(
    tmp_path: Path, gpl: Path, encoding: str, newline: str, reported: str
) -> None:
    other = write(tmp_path / "other.txt", licence("GPL-3"), encoding, newline)

    result = compare(gpl, other)

    assert result.similarity == 100.0
    assert result.changes == []
    assert result.metrics["wer"] == 0 and result.metrics["cer"] == 0
    assert (result.metrics["encoding_a"], result.metrics["encoding_b"]) == ("utf-8", reported)


def test_it_does_not_count_rewrapping_paragraphs_as_a_change(tmp_path: Path, gpl: Path) -> None:
    rewrapped = write(tmp_path / "rewrapped.txt", rewrap(licence("GPL-3"), 58))
    assert rewrapped.read_text().count("\n") != gpl.read_text().count("\n")

    result = compare(gpl, rewrapped)

    assert result.similarity == 100.0
    assert result.changes == []
    assert result.metrics["lines_added"] == result.metrics["lines_removed"] == 0


@pytest.mark.parametrize(
    ("language", "codec"), [("fr", "cp1252"), ("pl", "cp1250"), ("ru", "cp1251")]
)
def test_it_reads_legacy_8_bit_encodings_as_the_same_text(
    tmp_path: Path, language: str, codec: str
) -> None:
    text = "\n".join(translations(language))
    utf8 = write(tmp_path / "utf8.txt", text)
    legacy = write(tmp_path / "legacy.txt", text, codec, "\r\n")

    result = compare(utf8, legacy)

    assert result.metrics["encoding_b"] == codec
    assert result.similarity == 100.0, result.changes[:3]


def test_it_composes_unicode_so_e_acute_is_one_letter(tmp_path: Path) -> None:
    text = "\n".join(translations("fr"))
    composed = write(tmp_path / "nfc.txt", text)
    decomposed = write(tmp_path / "nfd.txt", __import__("unicodedata").normalize("NFD", text))
    assert composed.read_bytes() != decomposed.read_bytes()

    assert compare(composed, decomposed).similarity == 100.0


# --- plain text: edits are found and listed ------------------------------------------------------


def test_it_lists_small_edits_as_hunks_with_their_line_numbers(tmp_path: Path, gpl: Path) -> None:
    lines = licence("GPL-3").split("\n")
    edited = list(lines)
    edited[10] = lines[10].replace("software", "hardware")  # line 11
    edited[60:66] = rewrap("\n".join(lines[60:66]), 50).split("\n")  # lines 61-66 re-wrapped
    del edited[40]  # line 41
    edited.insert(32, "  This paragraph was added for the test.")  # after line 32
    other = write(tmp_path / "edited.txt", "\n".join(edited), "utf-16", "\r\n")

    result = compare(gpl, other)

    assert result.similarity > 99
    assert result.metrics["hunks"] == 3
    word, added, deleted = result.changes
    assert word == {
        "kind": "changed",
        "lines": {"source_start": 11, "source_end": 11, "target_start": 11, "target_end": 11},
        "before": lines[10], "after": edited[10],
        "magnitude": round(1 / len(lines[10].split()), 3),  # one word of the line's
    }  # fmt: skip
    assert added == {
        "kind": "added",
        "lines": {"source_start": None, "source_end": None, "target_start": 33, "target_end": 33},
        "before": None, "after": "  This paragraph was added for the test.", "magnitude": 1.0,
    }  # fmt: skip
    assert deleted == {
        "kind": "removed",
        "lines": {"source_start": 41, "source_end": 41, "target_start": None, "target_end": None},
        "before": lines[40], "after": None, "magnitude": 1.0,
    }  # fmt: skip
    assert result.summary == "1 line changed, 1 line removed, 1 line added"
    assert result.identical is False
    assert result.metrics["words_removed"] == 1 + len(lines[40].split())
    assert result.metrics["words_added"] == 1 + 7
    assert (result.metrics["lines_removed"], result.metrics["lines_added"]) == (2, 2)


def test_it_scores_two_percent_word_edits_high_with_every_edit_counted(tmp_path: Path) -> None:
    original = licence("GPL-3") + licence("LGPL-2.1")
    changed, count = edited_words(original, fraction=0.02, seed=3)
    a, b = write(tmp_path / "a.txt", original), write(tmp_path / "b.txt", changed)

    result = compare(a, b)

    words = len(original.split())
    assert result.metrics["words_a"] == words > 9_000
    assert result.metrics["words_added"] == result.metrics["words_removed"] == count
    assert result.metrics["wer"] == pytest.approx(count / words, abs=1e-4)
    assert 96 < result.similarity < 99.5
    assert len(result.changes) == result.metrics["hunks_shown"] <= 100


def test_its_wer_and_cer_are_jiwers_on_the_whitespace_normalised_words(tmp_path: Path) -> None:
    original = licence("GPL-3")
    changed, _ = edited_words(original, fraction=0.05, seed=4)
    a, b = write(tmp_path / "a.txt", original), write(tmp_path / "b.txt", changed)
    ref, hyp = " ".join(original.split()), " ".join(changed.split())

    result = compare(a, b)

    assert result.metrics["wer"] == round(jiwer.wer(ref, hyp), 4)
    assert result.metrics["cer"] == round(jiwer.cer(ref, hyp), 4)
    assert result.metrics["cer_method"] == "exact"


def test_it_keeps_wer_exact_for_local_edits_when_the_alignment_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = licence("GPL-3")
    changed, count = edited_words(original, fraction=0.01, seed=5)
    a, b = write(tmp_path / "a.txt", original), write(tmp_path / "b.txt", changed)
    exact = jiwer.wer(" ".join(original.split()), " ".join(changed.split()))
    monkeypatch.setattr(textio, "EXACT_WORD_CELLS", 50_000)  # ~220 x 220 words
    monkeypatch.setattr(textio, "WINDOW", 150)

    result = compare(a, b)

    assert result.metrics["alignment"] == "anchored"
    assert result.metrics["wer"] == pytest.approx(exact, abs=1e-4)
    assert result.metrics["words_added"] == count


@pytest.mark.parametrize(("other", "below"), [("Apache-2.0", 25), ("MPL-2.0", 25), ("GPL-2", 40)])
def test_it_scores_different_licences_low(
    tmp_path: Path, gpl: Path, other: str, below: float
) -> None:
    result = compare(gpl, write(tmp_path / "other.txt", licence(other)))

    assert result.similarity < below
    assert result.metrics["wer"] > 0.7


def test_it_scores_an_empty_file_against_itself_100_and_against_text_0(
    tmp_path: Path, gpl: Path
) -> None:
    empty = write(tmp_path / "empty.txt", "")

    assert compare(empty, write(tmp_path / "blank.txt", " \n\n")).similarity == 100
    result = compare(empty, gpl)
    assert result.similarity == 0
    [everything] = result.changes
    assert (everything["kind"], everything["before"]) == ("added", None)
    assert everything["lines"]["source_start"] is None and everything["lines"]["target_start"] == 1


# --- JSON ----------------------------------------------------------------------------------------


def _reversed_keys(value: object) -> object:
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


def test_it_compares_json_by_value_not_key_order_or_layout(tmp_path: Path) -> None:
    document = json.loads(OPENAPI_SCHEMA.read_text())
    minified = json.dumps(_reversed_keys(document), separators=(",", ":"))
    other = write(tmp_path / "schema.txt", minified, "utf-16", "\r\n")

    result = compare(OPENAPI_SCHEMA, other)

    assert result.similarity == 100.0
    assert result.changes == []
    assert result.metrics["format"] == "json" and result.metrics["structure"] == "compared"
    assert result.metrics["values_a"] == result.metrics["values_equal"] > 500


def test_it_names_the_json_paths_that_changed(tmp_path: Path) -> None:
    document = json.loads(OPENAPI_SCHEMA.read_text())
    edited = copy.deepcopy(document)
    definitions = edited["definitions"]
    edited["id"] = "https://example.org/schema"
    definitions["Info"]["required"].append("summary")
    definitions["Info"]["properties"]["title"]["type"] = "integer"
    definitions["Info"]["properties"]["contact"]["$ref"] = "#/definitions/Person"
    del definitions["Contact"]["properties"]["email"]
    definitions["Schema"]["properties"]["nullable"]["default"] = 0  # false -> 0 is a change
    definitions["Schema"]["properties"]["maxLength"]["minimum"] = 0.0  # 0 -> 0.0 is not
    other = write(tmp_path / "edited.json", json.dumps(edited, indent=4))

    result = compare(OPENAPI_SCHEMA, other)

    def edited_share(old: str, new: str) -> float:
        return round(textio.difference(old, new), 3)

    assert sorted(result.changes, key=lambda c: c["path"]) == [
        {"kind": "removed", "path": "$.definitions.Contact.properties.email",
         "before": {"type": "string", "format": "email"}, "after": None, "magnitude": 1.0},
        {"kind": "changed", "path": "$.definitions.Info.properties.contact[\"$ref\"]",
         "before": "#/definitions/Contact", "after": "#/definitions/Person",
         "magnitude": 0.333},  # "Contact" -> "Person": 7 edits in 21 characters
        {"kind": "changed", "path": "$.definitions.Info.properties.title.type",
         "before": "string", "after": "integer", "magnitude": edited_share("string", "integer")},
        {"kind": "added", "path": "$.definitions.Info.required[2]",
         "before": None, "after": "summary", "magnitude": 1.0},
        {"kind": "changed", "path": "$.definitions.Schema.properties.nullable.default",
         "before": False, "after": 0, "magnitude": 1.0},  # a boolean became a number
        {"kind": "changed", "path": "$.id", "before": document["id"],
         "after": "https://example.org/schema",
         "magnitude": edited_share(document["id"], "https://example.org/schema")},
    ]  # fmt: skip
    assert result.summary == "4 values changed, 1 value removed, 1 value added"
    assert result.metrics["values_changed"] == 4
    assert (result.metrics["values_added"], result.metrics["values_removed"]) == (1, 2)
    assert 98 < result.similarity < 100


def test_it_aligns_json_arrays_so_an_insertion_is_one_change(tmp_path: Path) -> None:
    document = json.loads(OPENAPI_SCHEMA.read_text())
    edited = copy.deepcopy(document)
    edited["required"].insert(0, "servers")
    other = write(tmp_path / "edited.json", json.dumps(edited))

    result = compare(OPENAPI_SCHEMA, other)

    assert result.changes == [
        {"kind": "added", "path": "$.required[0]", "before": None, "after": "servers",
         "magnitude": 1.0}
    ]  # fmt: skip
    assert result.summary == "$.required[0] added"


def test_it_falls_back_to_text_when_a_json_file_does_not_parse(tmp_path: Path) -> None:
    lines = OPENAPI_SCHEMA.read_text().split("\n")
    broken = list(lines)
    broken[2] = broken[2].rstrip(",")  # "$schema": ... loses its comma
    other = write(tmp_path / "broken.json", "\n".join(broken))

    result = compare(OPENAPI_SCHEMA, other)

    assert result.metrics["format"] == "plain"
    assert result.metrics["structure"].startswith("unparsed: file2 is not valid JSON (Expecting")
    assert result.changes[0]["lines"]["source_start"] == 3
    assert result.changes[0]["before"] == lines[2]
    assert result.similarity > 99


# --- CSV -----------------------------------------------------------------------------------------


def _rewritten_csv(source: Path, order: list[int], quoting: int = csv.QUOTE_ALL) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(source.read_text())):
        writer.writerow(row if row[0].startswith("#") else [row[k] for k in order])
    return out.getvalue()


def test_it_compares_csv_by_header_not_column_order_or_quoting(tmp_path: Path) -> None:
    other = write(tmp_path / "cos.csv", _rewritten_csv(NUMPY_COS_CSV, [3, 1, 0, 2]), "utf-8-sig")

    result = compare(NUMPY_COS_CSV, other)

    assert result.metrics["format"] == "csv"
    assert result.similarity == 100.0
    assert result.changes == []
    assert result.metrics["values_a"] == 4 * 1370  # data cells; the "## ... ##" lines are comments


def test_it_names_the_csv_rows_and_columns_that_changed(tmp_path: Path) -> None:
    lines = NUMPY_COS_CSV.read_text().split("\n")
    edited = list(lines)
    cells = edited[10].split(",")
    edited[10] = ",".join([*cells[:2], "0x3f800001", cells[3]])  # row 11, column "output"
    del edited[20]  # row 21
    other = write(tmp_path / "cos.csv", "\n".join(edited))

    result = compare(NUMPY_COS_CSV, other)

    def data_row(line: int) -> int:
        """A 1-based file line's number among the data rows (no header, no "## ..." comments)."""
        return sum(1 for text in lines[1:line] if not text.startswith("#"))

    dtype, given, output, tolerance = lines[20].split(",")
    assert (data_row(11), data_row(21)) == (8, 17)
    assert result.changes == [
        {"kind": "changed", "cell": {"row": 8, "column": "output"},
         "before": cells[2], "after": "0x3f800001", "magnitude": 0.1},  # 1 character of 10
        {"kind": "removed", "cell": {"row": 17, "column": None},
         "before": {"dtype": dtype, "input": given, "output": output, "ulperrortol": tolerance},
         "after": None, "magnitude": 1.0},
    ]  # fmt: skip
    assert result.summary == "1 cell changed in row 8, 1 row removed"
    assert result.similarity > 99.8


def test_it_reports_a_removed_csv_column_once(tmp_path: Path) -> None:
    other = write(tmp_path / "cos.csv", _rewritten_csv(NUMPY_COS_CSV, [0, 1, 2]))

    result = compare(NUMPY_COS_CSV, other)

    rows = NUMPY_COS_CSV.read_text().split("\n")[1:]
    tolerances = [row.split(",")[3] for row in rows if row and not row.startswith("#")]
    [column] = result.changes
    assert (column["kind"], column["cell"], column["after"]) == (
        "removed",
        {"row": None, "column": "ulperrortol"},
        None,
    )
    assert column["before"] == [*tolerances[:20], f"… {len(tolerances) - 20:,} more items"]
    assert result.summary == "1 column removed"
    assert result.similarity == pytest.approx(100 * 2 * 3 / 7, abs=0.1)


def test_it_scores_two_unrelated_csv_files_low() -> None:
    result = compare(NUMPY_COS_CSV, NUMPY_LOG2_CSV)

    assert result.metrics["format"] == "csv"
    assert result.similarity < 40


# --- XML -----------------------------------------------------------------------------------------


def _pretty_xml_with_comments(source: Path) -> str:
    tree = ET.parse(source)  # noqa: S314 - a trusted file shipped with django-allauth
    root = tree.getroot()
    for n, locale in enumerate(root):
        locale.set("b", str(n))  # attributes written b, a here and a, b in the other file
        locale.set("a", "x")
    root.insert(0, ET.Comment(" reformatted by the DiffALL tests "))
    ET.indent(tree, space="    ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _same_with_attributes_a_then_b(source: Path) -> str:
    tree = ET.parse(source)  # noqa: S314 - a trusted file shipped with django-allauth
    for n, locale in enumerate(tree.getroot()):
        locale.set("a", "x")
        locale.set("b", str(n))
    return ET.tostring(tree.getroot(), encoding="unicode")


def test_it_compares_xml_ignoring_comments_attribute_order_and_indentation(tmp_path: Path) -> None:
    a = write(tmp_path / "a.xml", _same_with_attributes_a_then_b(FACEBOOK_LOCALES_XML))
    b = write(tmp_path / "b.xml", _pretty_xml_with_comments(FACEBOOK_LOCALES_XML), "utf-16")
    assert a.read_text().index(' a="x"') < a.read_text().index(' b="0"')

    result = compare(a, b)

    assert result.metrics["format"] == "xml"
    assert result.similarity == 100.0
    assert result.changes == []


def test_it_names_the_xml_paths_that_changed(tmp_path: Path) -> None:
    text = FACEBOOK_LOCALES_XML.read_text()
    edited = text.replace(
        "<englishName>Arabic</englishName>", "<englishName>Arabic (MSA)</englishName>"
    )
    edited = edited.replace(
        "<representation>az_AZ</representation>", '<representation kind="fb">az_AZ</representation>'
    )
    start = edited.index("<locale>\n<englishName>Belarusian")
    edited = edited[:start] + edited[edited.index("</locale>", start) + len("</locale>") :]
    other = write(tmp_path / "edited.xml", edited)

    result = compare(FACEBOOK_LOCALES_XML, other)

    assert result.changes == [
        {"kind": "changed", "path": "/locales/locale[2]/englishName/text()",
         "before": "Arabic", "after": "Arabic (MSA)", "magnitude": 0.5},  # 6 of 12 characters
        {"kind": "added", "path": "/locales/locale[3]/codes/code/standard/representation/@kind",
         "before": None, "after": "fb", "magnitude": 1.0},
        {"kind": "removed", "path": "/locales/locale[4]",
         "before": "<locale>…</locale>", "after": None, "magnitude": 1.0},
    ]  # fmt: skip


# --- the format is found by parsing --------------------------------------------------------------


def test_it_detects_the_format_by_parsing_not_by_name(tmp_path: Path, gpl: Path) -> None:
    named_wrong = {
        "schema.txt": OPENAPI_SCHEMA.read_bytes(),
        "table.json": NUMPY_COS_CSV.read_bytes(),
        "locales.csv": FACEBOOK_LOCALES_XML.read_bytes(),
    }
    found = {
        name: engine.probe(write_bytes(tmp_path / name, data)).format
        for name, data in named_wrong.items()
    }

    assert found == {"schema.txt": "json", "table.json": "csv", "locales.csv": "xml"}
    info = engine.probe(gpl)
    assert info.format == "plain"
    assert info.extra == {"encoding": "utf-8", "lines": gpl.read_text().count("\n")}


# --- bad and pathological input ------------------------------------------------------------------


def _binaries(tmp_path: Path) -> dict[str, Path]:
    import skimage

    photo = next((Path(skimage.__file__).parent / "data").glob("*.png"))
    return {
        "gzip": write_bytes(tmp_path / "licence.gz", gzip.compress(licence("GPL-3").encode())),
        "png": photo,
        "elf": Path("/bin/ls"),
    }


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", ["gzip", "png", "elf"])
def test_it_refuses_binary_files_naming_the_file(tmp_path: Path, gpl: Path, kind: str) -> None:
    binary = _binaries(tmp_path)[kind]

    with pytest.raises(UnreadableFile, match=r"^file2 is not text"):
        compare(gpl, binary)
    with pytest.raises(UnreadableFile, match=r"^the file is not text"):
        engine.probe(binary)


def test_it_refuses_bytes_that_are_invalid_in_the_encoding_their_bom_declares(
    tmp_path: Path, gpl: Path
) -> None:
    lying = write_bytes(
        tmp_path / "bom.txt", b"\xef\xbb\xbf" + licence("GPL-3").encode("cp1252") + b"\xe9t\xe9"
    )

    with pytest.raises(
        UnreadableFile, match=r"^file1 is not readable text: byte \d+ is not valid utf-8"
    ):
        compare(lying, gpl)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""


def test_it_never_expands_xml_entities(tmp_path: Path) -> None:
    bomb = write(tmp_path / "bomb.xml", BILLION_LAUGHS)
    started = time.monotonic()

    result = compare(bomb, bomb)

    assert time.monotonic() - started < 2
    assert result.metrics["format"] == "plain"
    assert result.metrics["structure"] == (
        "unparsed: file1 declares XML entities, which are not expanded (refused)"
    )
    assert engine.probe(bomb).format == "plain"


def test_it_never_reads_external_xml_entities(tmp_path: Path) -> None:
    probe = '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r>&x;</r>\n'
    a = write(tmp_path / "a.xml", probe)
    b = write(tmp_path / "b.xml", probe.replace("<r>", "<r>text "))

    result = compare(a, b)

    assert "root:" not in json.dumps(result.changes)
    assert result.metrics["structure"].startswith("unparsed: file1 declares XML entities")


@pytest.mark.parametrize(
    "document",
    [
        "[" * 100_000 + "]" * 100_000,  # beyond Python's json recursion
        '{"a":' * 500 + "1" + "}" * 500,  # parses, but deeper than the engine walks
        "<a>" * 100_000 + "</a>" * 100_000,
    ],
    ids=["json-100k", "json-500", "xml-100k"],
)
def test_it_compares_deeply_nested_documents_as_text(tmp_path: Path, document: str) -> None:
    a = write(tmp_path / "a.txt", document)
    b = write(
        tmp_path / "b.txt", document.replace("1", "2") if "1" in document else document + " x"
    )
    started = time.monotonic()

    result = compare(a, b)

    assert time.monotonic() - started < 5
    assert result.metrics["format"] == "plain"
    assert "nested" in result.metrics["structure"]
    assert 0 < result.similarity < 100


@pytest.mark.parametrize(
    "storm",
    [',"' * 32_000 + "\nx,y\n", 'a,"b\n' * 13_000, "a,'b " * 13_000 + "\nx\n"],
    ids=["unclosed-quotes", "quoted-lines", "apostrophes"],
)
def test_it_decides_whether_a_file_is_csv_in_linear_time(tmp_path: Path, storm: str) -> None:
    # csv.Sniffer spent 10-40 s on each of these 64 KB inputs (regex backtracking)
    a = write(tmp_path / "a.txt", storm)
    b = write(tmp_path / "b.txt", storm + "tail\n")
    started = time.monotonic()

    result = compare(a, b)

    assert time.monotonic() - started < 3
    assert 0 < result.similarity < 100


def test_it_compares_a_10_mb_single_line_within_seconds(tmp_path: Path) -> None:
    line = " ".join((licence("GPL-3") * 300).split())[:10_000_000]
    changed, count = edited_words(line, fraction=0.00002, seed=9)
    a, b = write(tmp_path / "a.txt", line), write(tmp_path / "b.txt", changed)
    started = time.monotonic()

    result = compare(a, b)

    elapsed = time.monotonic() - started
    assert elapsed < 12, f"{elapsed:.1f} s"  # ~3 s on a busy 2-core machine
    assert result.metrics["alignment"] == "anchored"
    assert result.metrics["words_added"] == count > 10
    assert result.similarity == 99.9  # 33 words in 1.6 million: as close to 100 as a change gets
    hunk = result.changes[0]
    assert (hunk["lines"]["source_start"], hunk["lines"]["source_end"]) == (1, 1)
    assert len(hunk["before"]) <= 240  # the line is shown clipped, not 10 MB of it
    assert hunk["magnitude"] == 0.001  # 33 words edited in 1.6 million: the least a change has


def test_it_refuses_a_file_beyond_its_own_cap_without_reading_it(tmp_path: Path, gpl: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as out:
        out.truncate(50 * 1024 * 1024)  # sparse: 50 MB of zero bytes
    started = time.monotonic()

    with pytest.raises(UnreadableFile, match=r"^file2 is 50.0 MB; text is compared up to 32 MB"):
        compare(gpl, huge)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    "source",
    [OPENAPI_SCHEMA, FACEBOOK_LOCALES_XML, NUMPY_COS_CSV, LICENCES / "GPL-3"],
    ids=["json", "xml", "csv", "plain"],
)
def test_it_answers_or_refuses_damaged_files_and_never_crashes(
    tmp_path: Path, source: Path
) -> None:
    rng = random.Random(source.name)
    original = source.read_bytes()[:6000]
    a = write_bytes(tmp_path / "a", original)
    answered = 0
    for n in range(40):
        damaged = write_bytes(tmp_path / f"damaged-{n}", mangled(original, rng))
        try:
            result = compare(a, damaged)
        except UnreadableFile:
            continue
        json.dumps([result.metrics, result.changes], allow_nan=False)  # storable as it is
        answered += 1
    assert answered > 20  # most damage still leaves text to compare
