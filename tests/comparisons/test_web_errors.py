"""Every error the website's comparator can meet is said in the browser's words: which file box,
what is wrong, what to do — never the API's field names or curl advice (`-F file1=@path`)."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from django.test import Client

from comparisons import web_errors
from comparisons.models import Comparison
from tests.personas import Persona

pytestmark = pytest.mark.django_db
API_WORDS = re.compile(r"curl|-F |@path|multipart|form-data|X-API-Key|file1|file2|source_url|"
                       r"target_url|JSON body", re.I)  # fmt: skip


def web(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def shown_error(client: Client, data: dict[str, object]) -> str:
    page = client.post("/compare", data, follow=True).content.decode()
    found = re.search(r'<li class="error">(.*?)</li>', page, re.S)
    assert found, "no error message on the page"
    return htmllib.unescape(found.group(1))


def upload(path: Path, name: str | None = None):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_an_empty_submit_asks_for_two_files(alice: Persona) -> None:
    assert shown_error(web(alice), {}) == "Choose two files to compare (or paste a link to each)."


def test_a_missing_second_file_names_its_box(alice: Persona, images: dict) -> None:
    message = shown_error(web(alice), {"file1": upload(images["astronaut"])})
    assert message == "Choose File 2 as well (or paste a link to it)."


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("mismatched", "File 1 is an image file, File 2 is a text file: choose two files"),
        ("pdf", "File 2 looks like a PDF document"),
        ("both_ways", "For each side, choose a file or paste a link, not both."),
        ("bad_threshold", "The match threshold must be a number from 0 to 100."),
        ("threshold_out_of_range", "The match threshold must be a number from 0 to 100."),
        ("mode_for_text", "text comparisons have no modes"),
        ("bad_url", "only downloads from public internet addresses"),
        ("empty_file", "File 1 looks like an empty file"),
    ],
)
def test_it_words_each_refusal_for_the_browser(
    alice: Persona, images: dict, texts: dict, tmp_path: Path, case: str, expected: str
) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 200)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    a, b = upload(texts["apache"]), upload(texts["apache_edited"])
    data: dict[str, object] = {
        "mismatched": {"file1": upload(images["astronaut"]), "file2": b},
        "pdf": {"file1": a, "file2": upload(pdf)},
        "both_ways": {"file1": a, "source_url": "https://example.com/a.txt", "file2": b},
        "bad_threshold": {"file1": a, "file2": b, "threshold": "high"},
        "threshold_out_of_range": {"file1": a, "file2": b, "threshold": "250"},
        "mode_for_text": {"file1": a, "file2": b, "mode": "feature"},
        "bad_url": {"source_url": "http://127.0.0.1:1/a.txt", "file2": b},
        "empty_file": {"file1": upload(empty), "file2": b},
    }[case]
    message = shown_error(web(alice), data)
    assert expected.lower() in message.lower(), message
    assert not API_WORDS.search(message), message
    assert not Comparison.objects.exists()  # nothing kept, nothing charged


def test_no_rewritten_detail_keeps_an_api_word() -> None:
    api_details = {
        "missing_file": "file1 arrived as a text value, not as a file. Upload the file itself, "
        "with a file name (with curl: -F file1=@path/to/file — note the @)",
        "duplicate_field": "file2 was sent more than once; send exactly one file2",
        "bad_request": 'The JSON body must be an object, such as {"source_url": "https://…"}',
        "file_too_large": "file1 is larger than the 100 MB limit per file. Send a smaller file.",
        "unknown_future_code": "Send it as multipart/form-data with X-API-Key.",
    }
    for code, detail in api_details.items():
        message = web_errors.for_browser(code, detail)
        assert not API_WORDS.search(message), (code, message)
        assert message[0].isupper() and message.endswith("."), message
