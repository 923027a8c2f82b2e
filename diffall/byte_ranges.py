"""HTTP byte ranges (RFC 9110, section 14) for files that media players read. An <audio> or
<video> element seeks by asking for `Range: bytes=first-last`; a server that answers only with
the whole file (Django's FileResponse does) leaves Chromium unable to seek at all.

One range per request is served. A header this module does not understand, several ranges, or
an `If-Range` (no validator is kept to check it against) get the whole file, which RFC 9110
allows; a range that starts past the end is 416 with `Content-Range: bytes */size`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

_ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)\Z")


class Unsatisfiable(Exception):
    """The range asked for starts past the end of the file (or asks for no bytes of it)."""


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The range a `Range` header asks of a `size`-byte file, as (first, last) byte inclusive;
    None for the whole file."""
    found = _ONE_RANGE.match((header or "").replace(" ", ""))
    if found is None:
        return None  # none, several, another unit, or malformed: the whole file
    first_text, last_text = found.groups()
    if not first_text:  # "bytes=-500": the last 500 bytes
        if not last_text or int(last_text) == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - int(last_text)), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # not a valid range: RFC 9110 says to ignore the header
    if first >= size:
        raise Unsatisfiable
    return first, min(int(last_text) if last_text else size - 1, size - 1)


def ranged_file_response(
    request: HttpRequest, *, size: int, whole: Callable[[], IO[bytes]],
    part: Callable[[int, int], Any], **file_response: Any,
) -> HttpResponseBase:  # fmt: skip
    """A FileResponse of the whole file (200) or of the one range asked for (206); `whole()`
    opens the file, `part(first, last)` opens just those bytes."""
    try:
        wanted = None
        if "If-Range" not in request.headers:
            wanted = requested_range(request.headers.get("Range"), size)
    except Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    if wanted is None:
        response = FileResponse(whole(), **file_response)
        response["Content-Length"] = str(size)
    else:
        first, last = wanted
        response = FileResponse(part(first, last), status=206, **file_response)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    return response
