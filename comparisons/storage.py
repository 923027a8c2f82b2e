"""The storage seam: the only module that reads or writes comparison files. It speaks to Django's
default storage, which is S3 (django-storages, any S3-compatible server) in production and a folder
under var/ in the embedded default — so web processes and workers on other hosts share the files."""

from __future__ import annotations

import functools
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from comparisons.errors import StorageUnavailable

P = ParamSpec("P")
T = TypeVar("T")


def _translated(operation: Callable[P, T]) -> Callable[P, T]:
    """A storage backend's own errors (boto's, or the filesystem's) leave this module as one
    StorageUnavailable; FileNotFoundError for a missing file stays what it is."""

    @functools.wraps(operation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return operation(*args, **kwargs)
        except FileNotFoundError:
            raise
        except (BotoCoreError, ClientError, OSError) as exc:
            raise StorageUnavailable() from exc

    return wrapper


def _key(comparison_id: uuid.UUID, name: str) -> str:
    return f"comparisons/{comparison_id}/{name}"


@_translated
def input_save(*, comparison_id: uuid.UUID, slot: str, path: Path, extension: str) -> str:
    """Store one uploaded input ("a" or "b") and return its storage name."""
    name = input_name(comparison_id=comparison_id, slot=slot, extension=extension)
    if _linked(path, name):
        return name
    with path.open("rb") as handle:
        return _save(name, handle)


def input_save_started(
    *, comparison_id: uuid.UUID, slot: str, path: Path, extension: str
) -> Future[str]:
    """`input_save` on a thread of this process's own: the caller goes on (writes the job, runs
    the engine) while the file goes to S3; the future answers its name, or raises what
    `input_save` raised. The file at `path` must stay until the future is done."""
    return _writers().submit(
        input_save, comparison_id=comparison_id, slot=slot, path=path, extension=extension
    )


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _writers() -> ThreadPoolExecutor:
    """Two threads per process, for a comparison's two inputs at once. Made on first use in each
    process (threads do not survive gunicorn's fork) and kept: starting a thread waits for the GIL,
    which the engine's own threads hold at that moment (see jobs.heartbeat)."""
    with _pools_lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            _pools.clear()  # a forked child's copy of its parent's pool has no threads
            pool = _pools[os.getpid()] = ThreadPoolExecutor(2, thread_name_prefix="storage")
        return pool


def input_name(*, comparison_id: uuid.UUID, slot: str, extension: str) -> str:
    """The storage name an input is saved under: known before it is saved (keys are unique per
    job), so the job's row can name its files while they are still being written."""
    return _key(comparison_id, f"{slot}.{extension}")


def _save(name: str, content: IO[bytes] | bytes) -> str:
    """Write a whole file under `name`, which is unique per job (nothing is overwritten). On S3,
    one PutObject from the calling thread: django-storages' save() goes through s3transfer, which
    builds a boto3 resource object and starts two threads for every file — 2 ms of CPU a file
    here, more than the PUT of a diff image itself."""
    if not isinstance(default_storage, S3Storage):
        saved: str = default_storage.save(
            name, ContentFile(content) if isinstance(content, bytes) else File(content)
        )
        return saved
    key = default_storage._normalize_name(clean_name(name))
    # the bucket's client, made once per storage and shared by every thread (boto3's clients are
    # thread-safe; its resources, which django-storages makes once per thread, are not needed)
    default_storage.bucket.meta.client.put_object(
        Bucket=default_storage.bucket_name,
        Key=key,
        Body=content,
        **default_storage._get_write_parameters(key),  # ContentType, ACL, as save() sends them
    )
    return name


def _linked(path: Path, name: str) -> bool:
    """In a local folder (the embedded default), put the upload in place as a hard link: not a
    byte is copied, and the engine still reads it where it is. False when the storage is not
    a local folder, or the folder is on another filesystem than the upload (then it is copied)."""
    if not isinstance(default_storage, FileSystemStorage):
        return False
    target = Path(default_storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(path, target)
    except OSError:  # another filesystem (EXDEV), or links not allowed there
        return False
    return True


def artifact_name(*, comparison_id: uuid.UUID, name: str) -> str:
    """The storage name of a file a comparison produced ("diff.png"), stored or still to be."""
    return _key(comparison_id, name)


@_translated
def artifact_save(*, comparison_id: uuid.UUID, name: str, data: bytes) -> str:
    return _save(artifact_name(comparison_id=comparison_id, name=name), data)


def local_path(*, name: str) -> Path | None:
    """Where a stored file already is on this host's disk (a local folder storage), so it can
    be read in place instead of downloaded; None when the storage is remote (S3)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.path(name))
    return None


@_translated
def download(*, name: str, dest: Path) -> Path:
    """Copy a stored file to a local path (engines work on local files)."""
    with default_storage.open(name, "rb") as source, dest.open("wb") as target:
        shutil.copyfileobj(source, target, length=1024 * 1024)
    return dest


@_translated
def read(*, name: str) -> bytes:
    with default_storage.open(name, "rb") as source:
        data: bytes = source.read()
        return data


@_translated
def delete(*, name: str) -> None:
    if name:
        default_storage.delete(name)


@_translated
def folder_delete(*, comparison_id: uuid.UUID) -> int:
    """Delete every file stored for a comparison (inputs, diff image, thumbnails, any artifact);
    answers how many. A folder that is already gone counts as deleted."""
    folder = _key(comparison_id, "").rstrip("/")
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0
    for name in names:
        default_storage.delete(f"{folder}/{name}")
    return len(names)


@_translated
def size(*, name: str) -> int:
    """A stored file's size in bytes (FileNotFoundError when it is gone)."""
    if not default_storage.exists(name):
        raise FileNotFoundError(name)
    return default_storage.size(name)


@_translated
def open_read(*, name: str) -> File[bytes]:
    """A stored file opened for reading, to stream to a browser (the caller closes it)."""
    handle: File[bytes] = default_storage.open(name, "rb")
    return handle


class Window:
    """At most `length` bytes of an open stream, read in order, then nothing: what a ranged
    answer streams (it has no `tell` or `seek`, so nothing guesses its length from the file)."""

    def __init__(self, stream: IO[bytes] | Any, length: int) -> None:
        self._stream, self._left = stream, length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        data: bytes = self._stream.read(wanted)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._stream.close()


@_translated
def open_range(*, name: str, first: int, last: int) -> Window:
    """Bytes `first` to `last` (inclusive) of a stored file, to stream to a media player that
    seeks. From S3 this is a ranged GET (S3File would otherwise fetch the whole object first);
    from a folder, a seek."""
    handle = default_storage.open(name, "rb")
    s3_object = getattr(handle, "obj", None)  # django-storages' S3File keeps its boto3 Object
    if s3_object is not None:
        handle.close()
        body = s3_object.get(Range=f"bytes={first}-{last}")["Body"]
        return Window(body, last - first + 1)
    handle.seek(first)
    return Window(handle, last - first + 1)
