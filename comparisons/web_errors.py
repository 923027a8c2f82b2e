"""The website shows the same errors as the API, in the browser's words.

API details name request fields and tools (`file1`, `source_url`, `-F file1=@path`, multipart):
right for a script, meaningless to someone looking at two file boxes. Errors whose detail is about
the request's mechanics get a sentence of their own here; every other detail is kept, with the
field names turned into the labels on the form ("File 1", "the link for File 2")."""

from __future__ import annotations

import logging
import re

from diffall.errors import DomainError

log = logging.getLogger(__name__)

CHOOSE_TWO = "Choose two files to compare (or paste a link to each)."

# Errors about how a request was put together: a browser user did not put it together.
BY_CODE: dict[str, str] = {
    "missing_file": CHOOSE_TWO,
    "duplicate_field": "Choose one file, or paste one link, for each side.",
    "conflicting_inputs": "For each side, choose a file or paste a link, not both.",
    "bad_request": "The form could not be read. Reload the page and try again.",
    "request_too_large": "The form is too large to send. Choose smaller files and try again.",
    "unsupported_media_type": "The form could not be read. Reload the page and try again.",
    "invalid_threshold": "The match threshold must be a number from 0 to 100.",
    "rate_limited": "That was a lot of comparisons at once: wait a few seconds and try again.",
}

# API words a browser user must never see; a detail still carrying one is replaced (and logged,
# so the wording above can be completed).
API_WORDS = re.compile(r"curl|-F |@path|multipart|form-data|X-API-Key|JSON body|\bsend\b", re.I)

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bsource_url\b"), "the link for File 1"),
    (re.compile(r"\btarget_url\b"), "the link for File 2"),
    (re.compile(r"\bfile([12])\b"), r"File \1"),
    (re.compile(r"\bsend (a|an|two|the) "), r"choose \1 "),
    (re.compile(r"\bSend (a|an|two|the) "), r"Choose \1 "),
    (re.compile(r"\bupload (a|an|the) "), r"choose \1 "),
    (re.compile(r"\bUpload (a|an|the) "), r"Choose \1 "),
)


def for_browser(code: str, detail: str) -> str:
    """The sentence the website shows for an API error `code` with its API `detail`."""
    if code in BY_CODE:
        return BY_CODE[code]
    text = detail
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    if not re.match(r"\w+://", text):  # a detail may open with the URL it is about
        text = text[:1].upper() + text[1:]
    if API_WORDS.search(text):
        log.warning("API wording reached the website for %s: %s", code, detail)
        return "These files could not be compared. Check both files and try again."
    return text


def message_for(exc: DomainError) -> str:
    return for_browser(exc.code, exc.detail)
