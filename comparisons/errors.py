"""Why a comparison was refused or failed, one class per reason. Each carries its `code` (the API's
`error`, stored on a failed job) and a `detail` written for the user; diffall/api_errors.py maps
each class to its HTTP status, and the website shows the detail as a message."""

from __future__ import annotations

from diffall.errors import DomainError


class ComparisonError(DomainError):
    """Base of the errors of submitting and running a comparison."""

    code = "comparison_failed"


# --- the request --------------------------------------------------------------------------------


class BadRequest(ComparisonError):
    """The request is not shaped as the API takes it (e.g. a JSON body that is not an object)."""

    code = "bad_request"


class MissingFile(ComparisonError):
    code = "missing_file"


class DuplicateField(ComparisonError):
    code = "duplicate_field"


class ConflictingInputs(ComparisonError):
    """An input sent both as an upload and as a URL."""

    code = "conflicting_inputs"


class InvalidMode(ComparisonError):
    code = "invalid_mode"


class InvalidThreshold(ComparisonError):
    code = "invalid_threshold"


class InvalidIgnoreRegions(ComparisonError):
    """`ignore_regions` is not a list of rectangles, or the files are of a type it does not
    apply to."""

    code = "invalid_ignore_regions"


# --- the files ----------------------------------------------------------------------------------


class UnsupportedType(ComparisonError):
    """The file is of a kind DiffALL does not compare. `what` is the bare noun phrase ("a PDF
    document"), `hint` what the user can do; `detail` is the sentence about "the file", and
    `about("file1")` the same error told about one input of the request."""

    code = "unsupported_type"

    def __init__(self, what: str, hint: str, label: str = "the file") -> None:
        self.what = what
        self.hint = hint
        super().__init__(self.for_file(label))

    def for_file(self, label: str) -> str:
        """The user-facing sentence about one input, e.g. `for_file("file1")`."""
        return f"{label} looks like {self.what}; {self.hint}"

    def about(self, label: str) -> UnsupportedType:
        return UnsupportedType(self.what, self.hint, label)


class MismatchedTypes(ComparisonError):
    code = "mismatched_types"


class FileTooLarge(ComparisonError):
    code = "file_too_large"


class TooLong(ComparisonError):
    """A video or audio file over the duration cap."""

    code = "too_long"


class TooLargeResolution(ComparisonError):
    """A video whose frames are too large to decode within a worker's memory bound."""

    code = "too_large_resolution"


class Unreadable(ComparisonError):
    """An engine could not read a file while checking it; `code` is the engine's own
    (unreadable_file, engine_unavailable, ...)."""

    code = "unreadable_file"


# --- fetching URL inputs (comparisons.fetch) ----------------------------------------------------


class FetchError(ComparisonError):
    """Base of the errors of downloading a `source_url` / `target_url`."""

    code = "url_fetch_failed"


class UrlNotAllowed(FetchError):
    """The URL's scheme or address is one DiffALL never fetches from."""

    code = "url_not_allowed"


class UrlTooLarge(FetchError):
    """The download is over the size cap (announced or while streaming)."""

    code = "file_too_large"


class UrlFetchFailed(FetchError):
    """The download did not succeed: DNS, connection, TLS, timeout or a non-2xx answer."""

    code = "url_fetch_failed"


# --- ours ---------------------------------------------------------------------------------------


class StorageUnavailable(ComparisonError):
    """The file store (S3, or the local folder) failed: our fault, and usually passing."""

    code = "storage_unavailable"

    def __init__(
        self,
        detail: str = "File storage is unavailable right now; nothing was charged. "
        "Try again shortly.",
    ) -> None:
        super().__init__(detail)
