"""A result view computed from the uploads, kept once per comparison while the uploads are.

A finished result never changes, and neither do its uploads, so the view built from them (read,
decoded, aligned, folded, words marked: up to a second for a 2 MB text) is the same on every
visit. It is kept in the cache until the uploads' retention ends, and used only while the row
says they are still kept: once purged, the page builds its view from the changes again, so a
kept view never outlives the files it came from. Deleting the comparison forgets it at once."""

from __future__ import annotations

import logging
import pickle
import uuid
import zlib
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from comparisons.models import Comparison
from comparisons.results import originals

log = logging.getLogger(__name__)

T = TypeVar("T")

# Part of the key: raise it whenever what a kept view holds, or how it is computed, changes, so
# a deploy never shows a view an older release built.
VERSION = 1


def _key(comparison_id: uuid.UUID) -> str:
    return f"result-view:v{VERSION}:{comparison_id}"


def view_from_files(comparison: Comparison, build: Callable[[], T | None]) -> T | None:
    """`build()`'s view of the uploads, built on the first visit and kept; None (nothing kept)
    when the uploads are gone or `build` could not read them just now."""
    if not originals.kept(comparison):
        return None
    key = _key(comparison.id)
    try:
        packed = cache.get(key)
        if packed is not None:  # written by _packed only (django-redis unpickles every value)
            return cast(T, pickle.loads(zlib.decompress(packed)))  # noqa: S301
    except Exception:  # the cache is an accelerator: the page works without it
        log.warning("could not read the kept view of %s", comparison.id, exc_info=True)
    found = build()
    seconds = _until_purge(comparison)
    if found is not None and seconds > 0:
        try:
            cache.set(key, _packed(found), timeout=seconds)
        except Exception:
            log.warning("could not keep the view of %s", comparison.id, exc_info=True)
    return found


def _packed(found: object) -> bytes:
    """Compressed: a view is mostly the files' own lines (a 2 MB JSON's: 310 KB pickled, 38 KB
    compressed in under 2 ms), and it stays in Redis for up to a day."""
    return zlib.compress(pickle.dumps(found, pickle.HIGHEST_PROTOCOL), 1)


def _until_purge(comparison: Comparison) -> int:
    """Seconds until the uploads may be purged: the kept view goes no later than they do."""
    ends = comparison.created_at + timedelta(hours=settings.UPLOAD_RETENTION_HOURS)
    return int((ends - timezone.now()).total_seconds())


def forget(*, comparison_id: uuid.UUID) -> None:
    try:
        cache.delete(_key(comparison_id))
    except Exception:
        log.warning("could not forget the kept view of %s", comparison_id, exc_info=True)
