"""Turn a request into two local input files: multipart uploads (`file1`, `file2`) or URLs
(`source_url`, `target_url`, as MediaLayer takes them). The size cap is enforced while reading —
a request whose Content-Length is already too large is refused before its body is read at all."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from comparisons import fetch
from comparisons.errors import (
    BadRequest,
    ConflictingInputs,
    DuplicateField,
    FileTooLarge,
    MissingFile,
)
from comparisons.services import InputFile

SLOTS = (("file1", "source_url"), ("file2", "target_url"))
MULTIPART_OVERHEAD = 64 * 1024


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def too_large(what: str) -> FileTooLarge:
    return FileTooLarge(
        f"{what} is larger than the {settings.MAX_UPLOAD_MB} MB limit per file. "
        "Send a smaller file (or trim the video/audio to at most one minute).",
    )


class CappedUpload(UploadedFile):  # type: ignore[type-arg]  # not generic at run time
    def __init__(self, path: Path, name: str, content_type: str | None, size: int) -> None:
        super().__init__(path.open("rb"), name, content_type, size)
        self.path = path

    def temporary_file_path(self) -> str:
        return str(self.path)


class CappedUploadHandler(FileUploadHandler):
    """Streams each uploaded file to `workdir`; stops the upload the moment one passes the cap."""

    # Django's parser reads the body in pieces of this size (its default is 64 KiB). gunicorn
    # receives up to 1 MiB at once and copies what it holds beyond each read back into a buffer,
    # so 64 KiB reads copied every received MiB 16 times: reading two 3 MB images took 17 ms of
    # CPU, 12 in 1 MiB reads (a plain recv-and-write of the same bytes: 6).
    chunk_size = 1024 * 1024

    def __init__(self, workdir: Path, request: Any = None) -> None:
        super().__init__(request)
        self.workdir = workdir
        self.limit = max_upload_bytes()
        self.numbers = itertools.count(1)

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, *a: Any) -> None:
        if content_length and content_length > 2 * self.limit + MULTIPART_OVERHEAD:
            raise too_large("The request")

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        # Numbered, not named after the field: a field name is the client's text (a name like
        # "a/b" made open() fail with a 500), and a field sent twice must not share one file.
        self.path = self.workdir / f"upload-{next(self.numbers)}"
        self.handle = self.path.open("wb")
        self.written = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.written += len(raw_data)
        if self.written > self.limit:
            self.handle.close()
            self.path.unlink(missing_ok=True)
            raise too_large(self.field_name)
        self.handle.write(raw_data)

    def file_complete(self, file_size: int) -> CappedUpload:
        self.handle.close()
        return CappedUpload(
            self.path, self.file_name or self.field_name, self.content_type, file_size
        )


def collect(files: Any, data: Any, workdir: Path) -> tuple[InputFile, InputFile]:
    """Both inputs as local files, each an upload or a URL; refused when one is missing, sent
    twice, or sent both ways."""
    if not isinstance(data, Mapping):
        raise BadRequest(
            "The JSON body must be an object, such as "
            '{"source_url": "https://…", "target_url": "https://…"}.',
        )
    return _one_input(files, data, workdir, 0), _one_input(files, data, workdir, 1)


def _one_input(files: Any, data: Mapping[str, Any], workdir: Path, slot: int) -> InputFile:
    field, url_field = SLOTS[slot]
    uploads = files.getlist(field)
    urls = [u for u in _values(data, url_field) if not (isinstance(u, str) and not u.strip())]
    if len(uploads) > 1 or len(urls) > 1:
        name = field if len(uploads) > 1 else url_field
        raise DuplicateField(
            f"{name} was sent more than once; send exactly one {field} (or one {url_field}).",
        )
    if uploads and urls:
        raise ConflictingInputs(
            f"Both {field} and {url_field} were sent; send one of them, not both.",
        )
    if uploads:
        upload = uploads[0]
        return InputFile(
            path=Path(upload.temporary_file_path()), name=upload.name, size=upload.size
        )
    if urls:
        return _url_input(urls[0], url_field, workdir / f"url-{field}")
    raise _missing(field, sent_as_text=field in data)


def _values(data: Mapping[str, Any], key: str) -> list[Any]:
    """Every value sent for `key`: a form field may repeat, a JSON key holds one value."""
    if hasattr(data, "getlist"):
        return list(data.getlist(key))
    return [data[key]] if key in data and data[key] is not None else []


def _url_input(url: Any, url_field: str, dest: Path) -> InputFile:
    if not isinstance(url, str):
        raise BadRequest(
            f'{url_field} must be a URL given as a string, such as "https://example.com/a.png".',
        )
    return _fetch(url.strip(), dest)


def _missing(field: str, *, sent_as_text: bool) -> MissingFile:
    if sent_as_text:  # `-F file1=before.png` (no @), or a file part with an empty file name
        return MissingFile(
            f"{field} arrived as a text value, not as a file. Upload the file itself, with a "
            f"file name (with curl: -F {field}=@path/to/file — note the @), or give a URL as "
            "source_url/target_url.",
        )
    return MissingFile(
        f"{field} is missing. Send two files as multipart/form-data fields file1 and file2, each "
        "with a file name (or two URLs as source_url and target_url).",
    )


def _fetch(url: str, dest: Path) -> InputFile:
    fetched = fetch.fetch_url(
        url, dest, max_bytes=max_upload_bytes(), timeout=settings.URL_FETCH_TIMEOUT_S
    )
    return InputFile(path=fetched.path, name=url, size=fetched.size)
