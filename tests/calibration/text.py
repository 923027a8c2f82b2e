"""Text calibration pairs: Debian's licence texts, Django's French messages, and the JSON, CSV and
XML files that the project's packages ship; file2 is the same text in another form, lightly
edited, or another text."""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from tests.calibration import Kind, Pair
from tests.engines import media_texts as texts

LICENCES = ("GPL-3", "Apache-2.0", "MPL-2.0")
OTHER = {"GPL-3": "GPL-2", "Apache-2.0": "Artistic", "MPL-2.0": "LGPL-2.1"}
OPENAPI = texts.OPENAPI_SCHEMA.parent  # openapi_3_0/3_1/3_2_schema.json
CSVS = (texts.NUMPY_COS_CSV, texts.NUMPY_LOG2_CSV)


def _licence_pairs(make_b: Callable[[str, Path], Path]) -> Callable[[Path], list[Pair]]:
    def make(folder: Path) -> list[Pair]:
        pairs = []
        for name in LICENCES:
            here = folder / name
            here.mkdir(parents=True, exist_ok=True)
            a = texts.write(here / "a.txt", texts.licence(name))
            pairs.append(Pair(name, a, make_b(name, here)))
        return pairs

    return make


def _write(text: Callable[[str], str], **options: str) -> Callable[[str, Path], Path]:
    return lambda name, folder: texts.write(folder / "b.txt", text(name), **options)


def _edited(fraction: float) -> Callable[[str, Path], Path]:
    return _write(lambda name: texts.edited_words(texts.licence(name), fraction, seed=11)[0])


def _second_half_other(name: str) -> str:
    own, other = texts.licence(name).split("\n"), texts.licence(OTHER[name]).split("\n")
    return "\n".join(own[: len(own) // 2] + other[len(other) // 2 :])


def _french(folder: Path) -> list[Pair]:
    text = "\n".join(texts.translations("fr", min_words=2))
    a = texts.write(folder / "utf8.txt", text)
    return [Pair("Django (fr), cp1252", a, texts.write(folder / "cp1252.txt", text, "cp1252"))]


def _encodings(folder: Path) -> list[Pair]:
    pairs = _licence_pairs(_write(texts.licence, encoding="utf-16", newline="\r\n"))(folder)
    return pairs + _french(folder)


def _json_reformatted(folder: Path) -> list[Pair]:
    pairs = []
    for source in sorted(OPENAPI.glob("openapi_3_*_schema.json")):
        value = json.loads(source.read_text())
        b = texts.write(folder / source.name, json.dumps(value, indent=4, sort_keys=True))
        pairs.append(Pair(source.name, source, b))
    return pairs


def _json_other(folder: Path) -> list[Pair]:
    schemas = sorted(OPENAPI.glob("openapi_3_*_schema.json"))
    return [Pair(f"{a.name} vs {b.name}", a, b) for a, b in itertools.pairwise(schemas)]


def _csv_rewritten(folder: Path) -> list[Pair]:
    pairs = []
    for source in CSVS:
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        for row in csv.reader(io.StringIO(source.read_text())):
            writer.writerow(row if row[0].startswith("#") else [row[k] for k in (3, 1, 0, 2)])
        pairs.append(Pair(source.name, source, texts.write(folder / source.name, out.getvalue())))
    return pairs


def _csv_other(folder: Path) -> list[Pair]:
    return [Pair("cos vs log2", *CSVS)]


def _xml_reformatted(folder: Path) -> list[Pair]:
    tree = ET.parse(texts.FACEBOOK_LOCALES_XML)  # noqa: S314 - a trusted file from django-allauth
    tree.getroot().insert(0, ET.Comment(" reformatted for the calibration set "))
    ET.indent(tree, space="    ")
    b = ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=True)
    source = texts.FACEBOOK_LOCALES_XML
    return [Pair(source.name, source, texts.write(folder / "locales.xml", b, "utf-16"))]


def _kind(name: str, same: bool, make: Callable[[Path], list[Pair]]) -> Kind:
    return Kind("text", name, same, make)


KINDS = [
    _kind("UTF-16 with CRLF, or cp1252", True, _encodings),
    _kind(
        "paragraphs rewrapped at 60 columns",
        True,
        _licence_pairs(_write(lambda name: texts.rewrap(texts.licence(name), 60))),
    ),
    _kind("1% of words replaced", True, _licence_pairs(_edited(0.01))),
    _kind("JSON re-indented, keys sorted", True, _json_reformatted),
    _kind("CSV columns reordered, all quoted", True, _csv_rewritten),
    _kind("XML re-indented, a comment, UTF-16", True, _xml_reformatted),
    _kind(
        "another licence", False, _licence_pairs(_write(lambda name: texts.licence(OTHER[name])))
    ),
    _kind("20% of words replaced", False, _licence_pairs(_edited(0.20))),
    _kind("second half another licence", False, _licence_pairs(_write(_second_half_other))),
    _kind("another OpenAPI version's schema", False, _json_other),
    _kind("another CSV table", False, _csv_other),
]
