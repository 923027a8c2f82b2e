"""Turn a request into two local input files: multipart uploads (`file1`, `file2`) or URLs
(`source_url`, `target_url`, as MediaLayer takes them). The size cap is enforced while reading —
a request whose Content-Length is already too large is refused before its body is read at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from comparisons import fetch
from comparisons.services import InputFile
from diffall.api_errors import ApiError

SLOTS = (("file1", "source_url"), ("file2", "target_url"))
MULTIPART_OVERHEAD = 64 * 1024


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def too_large(what: str) -> ApiError:
    return ApiError(
        413, "file_too_large",
        f"{what} is larger than the {settings.MAX_UPLOAD_MB} MB limit per file. "
        "Send a smaller file (or trim the video/audio to at most one minute).",
    )  # fmt: skip


class CappedUpload(UploadedFile):
    def __init__(self, path: Path, name: str, content_type: str, size: int) -> None:
        super().__init__(path.open("rb"), name, content_type, size)
        self.path = path

    def temporary_file_path(self) -> str:
        return str(self.path)


class CappedUploadHandler(FileUploadHandler):
    """Streams each uploaded file to `workdir`; stops the upload the moment one passes the cap."""

    def __init__(self, workdir: Path, request: Any = None) -> None:
        super().__init__(request)
        self.workdir = workdir
        self.limit = max_upload_bytes()

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, *a: Any) -> None:
        if content_length and content_length > 2 * self.limit + MULTIPART_OVERHEAD:
            raise too_large("The request")

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.path = self.workdir / f"upload-{field_name}"
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
    """Both inputs as local files, each an upload or a URL. 400 when one is missing."""
    inputs = []
    for field, url_field in SLOTS:
        upload = files.get(field)
        url = data.get(url_field) if hasattr(data, "get") else None
        if upload is not None:
            inputs.append(
                InputFile(
                    path=Path(upload.temporary_file_path()), name=upload.name, size=upload.size
                )
            )
        elif isinstance(url, str) and url.strip():
            inputs.append(_fetch(url.strip(), workdir / f"url-{field}"))
        else:
            raise ApiError(
                400, "missing_file",
                f"{field} is missing. Send two files as multipart/form-data fields file1 and "
                "file2 (or two URLs as source_url and target_url).",
            )  # fmt: skip
    return inputs[0], inputs[1]


def _fetch(url: str, dest: Path) -> InputFile:
    try:
        fetched = fetch.fetch_url(
            url, dest, max_bytes=max_upload_bytes(), timeout=settings.URL_FETCH_TIMEOUT_S
        )
    except fetch.FetchError as exc:
        raise ApiError(exc.status_code, exc.code, exc.detail) from None
    return InputFile(path=fetched.path, name=url, size=fetched.size)
