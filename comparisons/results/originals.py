"""The uploaded files themselves, for the views that show more than the changes (the lines
around a change, every cue): while they are kept (UPLOAD_RETENTION_HOURS). After the purge, or
when storage cannot be read just now, callers fall back to the changes' own before/after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from comparisons import storage
from comparisons.engines.base import UnreadableFile
from comparisons.engines.textio import decode
from comparisons.errors import StorageUnavailable
from comparisons.models import Comparison

# Larger texts are shown through their changes only: a page that re-reads and re-diffs 10 MB
# on every view would be slow for little gain (no one reads 200,000 lines of context).
MAX_SHOWN_BYTES = 2 * 1024 * 1024


def _names(comparison: Comparison) -> tuple[str, str] | None:
    if comparison.files_purged_at is not None or not comparison.file_a or not comparison.file_b:
        return None
    if max(comparison.size_a or 0, comparison.size_b or 0) > MAX_SHOWN_BYTES:
        return None
    return comparison.file_a, comparison.file_b


def kept(comparison: Comparison) -> bool:
    """The uploads are still kept and small enough to show (as far as the row knows)."""
    return _names(comparison) is not None


def texts(comparison: Comparison) -> tuple[str, str] | None:
    """Both files decoded as the text engine reads them; None when they cannot be shown."""
    names = _names(comparison)
    if names is None:
        return None
    try:
        first, second = (storage.read(name=name) for name in names)
        return decode(first, "file1").text, decode(second, "file2").text
    except (FileNotFoundError, StorageUnavailable, UnreadableFile):
        return None


@contextmanager
def local_copies(comparison: Comparison) -> Iterator[tuple[Path, Path] | None]:
    """Both files copied to a temporary folder (for readers that take a path), removed after."""
    names = _names(comparison)
    if names is None:
        yield None
        return
    with TemporaryDirectory(prefix="diffall-show-") as folder:
        try:
            paths = tuple(
                storage.download(name=name, dest=Path(folder) / f"{slot}{Path(name).suffix}")
                for slot, name in zip(("a", "b"), names, strict=True)
            )
        except (FileNotFoundError, StorageUnavailable):
            yield None
            return
        yield paths[0], paths[1]
