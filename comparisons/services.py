"""Writes of the comparisons app: submit a comparison, run it, fail it, sweep and purge old jobs.

The API and the website both call `comparison_submit`; the worker calls `comparison_run`. A
credit is reserved when a comparison is accepted, settled when it is done and refunded when it
fails, so a failed comparison never costs anything.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing import services as billing
from comparisons import detect, jobs, storage, thumbnails
from comparisons import ignore_regions as ignoring
from comparisons.engines import (
    DIFF_IMAGE,
    REGISTRY,
    Engine,
    EngineError,
    MediaInfo,
    MediaSpec,
    Options,
    Progress,
    Result,
    get_engine,
    spec_of,
    summaries,
)
from comparisons.errors import (
    FileTooLarge,
    InvalidIgnoreRegions,
    InvalidMode,
    InvalidThreshold,
    MismatchedTypes,
    StorageUnavailable,
    TooLargeResolution,
    TooLong,
    Unreadable,
    UnsupportedType,
)
from comparisons.models import Comparison
from comparisons.results import kept
from webhooks import services as webhooks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InputFile:
    """One input, already on local disk (an upload or a fetched URL)."""

    path: Path
    name: str
    size: int


@dataclass(frozen=True)
class Checked:
    media_type: str
    format_a: str
    format_b: str


class RetryLater(Exception):
    """A transient engine error on an async job with attempts left: the task should retry."""


class ComparisonNotYours(Exception):
    """The comparison is another account's (the website answers 404, as if it did not exist)."""


class ComparisonRunning(Exception):
    """A queued or running comparison cannot be deleted: its worker would write into nothing."""


# --- submit -------------------------------------------------------------------------------------


def comparison_submit(
    *,
    user: User,
    file_a: InputFile,
    file_b: InputFile,
    mode: str | None = None,
    threshold: float | None = None,
    ignore_regions: tuple[ignoring.Box, ...] = (),
    source: str = Comparison.Source.API,
    callback_url: str = "",
    diff_image_now: bool = True,
) -> Comparison:
    """Check both inputs, reserve a credit, store the files and create the job. Image, subtitle
    and text comparisons run here and come back finished; video and audio are queued.

    `diff_image_now=False` (the API, unless it answers with the PNG itself): a comparison answered
    at once does not store its diff image; it is drawn again from the stored inputs on first
    request (`comparison_diff_png`). Most API callers never fetch it (`diffall check` saves the
    failed pairs' only), and storing it took about a tenth of an image comparison's CPU under
    load (README, "Performance")."""
    checked = _check_inputs(file_a, file_b)
    spec = spec_of(checked.media_type)
    mode = _check_mode(spec, mode)
    threshold = _check_threshold(spec, mode, threshold)
    _check_ignore_regions(spec, ignore_regions)
    if callback_url:
        callback_url = webhooks.callback_check(user=user, url=callback_url)
    engine = get_engine(spec.name)
    for label, item in (("file1", file_a), ("file2", file_b)):
        info = _probe(engine, label, item)
        if spec.timed:
            _check_duration(label, info)
        if checked.media_type == "video":
            _check_resolution(label, info)

    job_id = uuid.uuid4()
    comparison = Comparison(
        id=job_id, user=user, source=source, media_type=checked.media_type,
        mode=mode, threshold=threshold,
        options={"ignore_regions": ignoring.as_json(ignore_regions)} if ignore_regions else {},
        name_a=file_a.name[:255], name_b=file_b.name[:255],
        format_a=checked.format_a, format_b=checked.format_b,
        size_a=file_a.size, size_b=file_b.size, callback_url=callback_url,
        file_a=storage.input_name(comparison_id=job_id, slot="a", extension=checked.format_a),
        file_b=storage.input_name(comparison_id=job_id, slot="b", extension=checked.format_b),
    )  # fmt: skip
    if spec.runs_async:
        with _inputs_stored_meanwhile(comparison, file_a, file_b) as inputs_stored:
            inputs_stored()  # its worker reads them from the store: stored before it is queued
            _create_and_reserve(comparison, queue=True)
        return comparison
    jobs.lease_start(comparison)  # answered at once: this request is its first attempt
    _create_and_reserve(comparison, queue=False)
    # Stored from here, not earlier: their threads would take the GIL from the transaction (and
    # an account out of credits stores nothing at all).
    with _inputs_stored_meanwhile(comparison, file_a, file_b) as inputs_stored:
        return _run(
            comparison, local_a=file_a.path, local_b=file_b.path, inputs_stored=inputs_stored,
            diff_image_now=diff_image_now,
        )  # fmt: skip


def _check_inputs(file_a: InputFile, file_b: InputFile) -> Checked:
    found = [_detect(label, item) for label, item in (("file1", file_a), ("file2", file_b))]
    a, b = found
    if a.media_type != b.media_type:
        raise MismatchedTypes(
            f"file1 is {_article(a.media_type)} file, file2 is {_article(b.media_type)} file: "
            "send two files of the same type."
        )
    cap_mb = settings.MAX_TEXT_UPLOAD_MB
    if spec_of(a.media_type).text:
        for label, item in (("file1", file_a), ("file2", file_b)):
            if item.size > cap_mb * 1024 * 1024:
                raise FileTooLarge(
                    f"{label} is {item.size / 1048576:.1f} MB; {a.media_type} files are limited "
                    f"to {cap_mb} MB."
                )
    return Checked(media_type=a.media_type, format_a=a.format, format_b=b.format)


def _detect(label: str, item: InputFile) -> detect.Detected:
    try:
        return detect.detect(item.path)
    except UnsupportedType as exc:
        raise exc.about(label) from None


def _article(media_type: str) -> str:
    return f"an {media_type}" if media_type[0] in "aeiou" else f"a {media_type}"


def _check_mode(spec: MediaSpec, mode: str | None) -> str:
    """The mode to run in: "" for types that have no modes (and then none may be asked for)."""
    allowed = spec.mode_names
    if not mode:
        return spec.default_mode
    if mode not in allowed:
        if not allowed:
            raise InvalidMode(f"{spec.name} comparisons have no modes; leave mode out.")
        raise InvalidMode(
            f"mode={mode!r} is not available for {spec.name} files; "
            f"use one of: {', '.join(allowed)}."
        )
    return mode


def _check_threshold(spec: MediaSpec, mode: str, threshold: float | None) -> float:
    if threshold is None:
        return spec.threshold(mode)
    if not 0 <= threshold <= 100:
        raise InvalidThreshold("threshold must be a number from 0 to 100.")
    return float(threshold)


def _check_ignore_regions(spec: MediaSpec, ignore_regions: tuple[ignoring.Box, ...]) -> None:
    if ignore_regions and not spec.ignores_regions:
        raise InvalidIgnoreRegions(
            f"ignore_regions: masks parts of images; these are {spec.name} files. Leave it out."
        )


def _options(comparison: Comparison) -> Options:
    """What the engine is told of the request: the mode, and the regions of file1 to leave out."""
    regions = comparison.options.get("ignore_regions", [])
    boxes = tuple((box["x"], box["y"], box["width"], box["height"]) for box in regions)
    return Options(mode=comparison.mode, ignore_regions=boxes)


def _probe(engine: Engine, label: str, item: InputFile) -> MediaInfo:
    try:
        return engine.probe(item.path)
    except EngineError as exc:
        raise Unreadable(f"{label} could not be read: {exc.detail}", code=exc.code) from None


def _check_duration(label: str, info: MediaInfo) -> None:
    limit = settings.MAX_MEDIA_SECONDS
    if info.duration_s is not None and info.duration_s > limit + 0.5:
        timed = " and ".join(spec.name for spec in REGISTRY.values() if spec.timed)
        raise TooLong(
            f"{label} is {info.duration_s:.1f} s long; {timed} are limited to "
            f"{limit} seconds. Trim it and try again."
        )


# The decoded frame size MAX_VIDEO_PIXELS is counted in: 10-bit 4:2:0 (what phones record in HDR).
# 8-bit 4:2:0 takes half of it and gets no more pixels, so the limit reads as one resolution;
# 4:2:2 and 4:4:4 take more per pixel and get proportionally fewer (README "Limits").
REFERENCE_BYTES_PER_PIXEL = 3.0


def _check_resolution(label: str, info: MediaInfo) -> None:
    """A decoder holds up to ~20 full-size frames (references, reordering, threads): bounding
    the frame bounds a worker's memory."""
    width, height = info.width or 0, info.height or 0
    bytes_per_pixel = float(info.extra.get("bytes_per_pixel") or REFERENCE_BYTES_PER_PIXEL)
    limit = int(settings.MAX_VIDEO_PIXELS * min(1.0, REFERENCE_BYTES_PER_PIXEL / bytes_per_pixel))
    if width * height <= limit:
        return
    size = f"{width}x{height} ({width * height / 1e6:.1f} megapixels)"
    if limit == settings.MAX_VIDEO_PIXELS:
        example = " (4096x2160)" if limit == 4096 * 2160 else ""
        detail = (
            f"{label} is {size}; videos are limited to {limit / 1e6:.1f} megapixels a "
            f"frame{example}. Scale it down and try again."
        )
    else:
        detail = (
            f"{label} is {size} in {info.extra.get('pix_fmt')}, which takes "
            f"{bytes_per_pixel / REFERENCE_BYTES_PER_PIXEL:g} times the memory per pixel of 10-bit "
            f"4:2:0 video; in that format videos are limited to {limit / 1e6:.1f} megapixels a "
            "frame. Scale it down or convert it to 4:2:0 and try again."
        )
    raise TooLargeResolution(detail)


@contextmanager
def _inputs_stored_meanwhile(
    comparison: Comparison, file_a: InputFile, file_b: InputFile
) -> Iterator[Callable[[], None]]:
    """Store both inputs on background threads while the caller goes on: the engine runs while
    they go to S3 (they had gone one after the other, before the job was written: with the diff
    image's, three PUTs had cost the S3 path ~30 ms a comparison). The caller calls the function
    it is given where it needs them stored; it raises what storing raised. Nothing stays
    half-written: when the caller fails, or an input could not be stored, the inputs that were
    stored are deleted; otherwise both are kept (a job that failed in its engine keeps its
    inputs, as one that succeeded does)."""
    saving = [
        storage.input_save_started(
            comparison_id=comparison.id, slot=slot, path=item.path, extension=extension
        )
        for slot, item, extension in (
            ("a", file_a, comparison.format_a),
            ("b", file_b, comparison.format_b),
        )
    ]

    def stored() -> None:
        for future in saving:
            future.result()

    try:
        yield stored
    except BaseException:
        futures.wait(saving)  # the uploads' temporary files go away when this returns
        _delete_inputs(comparison)  # an input stored without a row would never be purged
        raise
    futures.wait(saving)
    if any(future.exception() for future in saving):
        _delete_inputs(comparison)


def _create_and_reserve(comparison: Comparison, *, queue: bool) -> None:
    with transaction.atomic():
        comparison.save(force_insert=True)
        billing.credits_reserve(
            user=comparison.user,
            comparison_id=comparison.id,
            media_type=comparison.media_type,
        )
        if queue:
            transaction.on_commit(lambda: jobs.enqueue(comparison.id))


def _delete_inputs(comparison: Comparison) -> None:
    for name in (comparison.file_a, comparison.file_b):
        try:
            storage.delete(name=name)
        except Exception:  # cleanup must not hide the error that caused it
            log.warning("could not delete %s", name, exc_info=True)


# --- run ----------------------------------------------------------------------------------------


def comparison_run(
    *,
    comparison_id: uuid.UUID,
    local_a: Path | None = None,
    local_b: Path | None = None,
    retry_transient: bool = False,
) -> Comparison:
    """Run the engine on a claimed job and record the outcome. Safe to call twice: a job that is
    already final is returned as it is."""
    comparison = _claim(comparison_id)
    if comparison.is_final or comparison.lease is None:
        return comparison  # final, or another worker holds it right now (a redelivery)
    return _run(comparison, local_a=local_a, local_b=local_b, retry_transient=retry_transient)


def _run(
    comparison: Comparison,
    *,
    local_a: Path | None = None,
    local_b: Path | None = None,
    retry_transient: bool = False,
    inputs_stored: Callable[[], None] = lambda: None,
    diff_image_now: bool = True,
) -> Comparison:
    """Run the engine on a job this attempt holds (`comparison.lease`) and record the outcome.
    `inputs_stored` waits for inputs still being stored (a comparison answered at once): a job
    whose inputs could not be stored fails, with its refund, whatever its engine found."""
    engine = get_engine(comparison.media_type)
    started = time.monotonic()
    lease = comparison.lease

    def fail(code: str, detail: str) -> Comparison:
        return comparison_fail(comparison_id=comparison.id, code=code, detail=detail, lease=lease)

    try:
        with jobs.heartbeat(comparison.id, lease):
            with _local_inputs(comparison, local_a, local_b) as (path_a, path_b):
                async_job = spec_of(comparison.media_type).runs_async
                progress = _progress_writer(comparison.id) if async_job else _no_progress
                result = engine.compare(path_a, path_b, _options(comparison), progress)
            inputs_stored()
            # Saving the result (the diff image goes to S3) can fail too: it fails the job, with
            # a refund, like any other error — never a 500 or a job left processing.
            elapsed_s = time.monotonic() - started
            return _finish(comparison, result, elapsed_s=elapsed_s, diff_image_now=diff_image_now)
    except StorageUnavailable as exc:
        return fail(exc.code, exc.detail)
    except EngineError as exc:
        if exc.retry and retry_transient and comparison.attempts < settings.JOB_MAX_ATTEMPTS:
            Comparison.objects.filter(id=comparison.id, lease=lease).update(
                status=Comparison.Status.QUEUED, lease=None
            )
            raise RetryLater(exc.detail) from exc
        return fail(exc.code, exc.detail)
    except SoftTimeLimitExceeded:
        return fail(
            "timeout", "The comparison took longer than the time limit; your credit was refunded."
        )
    except Exception:
        log.exception("comparison %s crashed", comparison.id)
        return fail(
            "comparison_failed",
            "These files could not be compared (an error on our side, which we log). "
            "Your credit was refunded.",
        )


def _claim(comparison_id: uuid.UUID) -> Comparison:
    """Take the job for this attempt (a new lease); a job out of attempts fails (and is
    refunded) instead. A job another worker is running right now comes back without a lease."""
    with transaction.atomic():
        comparison = Comparison.objects.select_for_update().get(id=comparison_id)
        if comparison.is_final:
            return comparison
        if jobs.is_alive(comparison):  # a redelivered message: the first run is still going
            comparison.lease = None
            return comparison
        if comparison.attempts < settings.JOB_MAX_ATTEMPTS:
            jobs.lease_take(comparison)
            return comparison
    return comparison_fail(
        comparison_id=comparison_id, code="too_many_attempts",
        detail=f"The comparison was tried {settings.JOB_MAX_ATTEMPTS} times and never finished; "
        "your credit was refunded.",
    )  # fmt: skip


@contextmanager
def _local_inputs(
    comparison: Comparison, local_a: Path | None, local_b: Path | None
) -> Iterator[tuple[Path, Path]]:
    if local_a and local_b:
        yield local_a, local_b
        return
    here_a = storage.local_path(name=comparison.file_a)
    here_b = storage.local_path(name=comparison.file_b)
    if here_a and here_b:  # a local folder: engines only read, so they read the files there
        yield here_a, here_b
        return
    with TemporaryDirectory(prefix="diffall-") as tmp:
        path_a = storage.download(
            name=comparison.file_a, dest=Path(tmp) / f"a.{comparison.format_a}"
        )
        path_b = storage.download(
            name=comparison.file_b, dest=Path(tmp) / f"b.{comparison.format_b}"
        )
        yield path_a, path_b


def _no_progress(_: float) -> None:
    pass


def _progress_writer(comparison_id: uuid.UUID, min_interval_s: float = 0.2) -> Progress:
    """Write progress to the job row as the engine reports it, at most every `min_interval_s`."""
    last = {"value": 0, "at": 0.0}  # the attempt starts at 0 (jobs.lease_start): not written again

    def report(percent: float) -> None:
        value = max(0, min(99, int(percent)))  # 100 is written with the result
        now = time.monotonic()
        if value > last["value"] and now - last["at"] >= min_interval_s:
            last.update(value=value, at=now)
            Comparison.objects.filter(id=comparison_id, status=Comparison.Status.PROCESSING).update(
                progress=value
            )

    return report


def _finish(
    comparison: Comparison, result: Result, *, elapsed_s: float, diff_image_now: bool = True
) -> Comparison:
    diff_file = ""
    for artifact in result.artifacts:
        if artifact.name == DIFF_IMAGE and not diff_image_now:
            # named now, drawn again from the inputs on first request (`comparison_diff_png`)
            diff_file = storage.artifact_name(comparison_id=comparison.id, name=DIFF_IMAGE)
            continue
        name = storage.artifact_save(
            comparison_id=comparison.id, name=artifact.name, data=artifact.data
        )
        if artifact.name == DIFF_IMAGE:
            diff_file = name
    # Never identical with a change listed; an engine that has not decided (None) is identical
    # only when it lists nothing and scores 100.
    decided = result.identical if result.identical is not None else result.similarity >= 100
    outcome = {
        "similarity": result.similarity,
        "metrics": result.metrics,
        "segments": result.segments,
        "changes": result.changes,
        "identical": decided and not result.changes,
        "summary": result.summary or summaries.summarise(result.changes),
        "diff_file": diff_file,
        "status": Comparison.Status.DONE,
        "progress": 100,
        "finished_at": timezone.now(),
        "processing_time_ms": round(elapsed_s * 1000),
    }
    with transaction.atomic():
        # Recorded only while this attempt still holds the job: a duplicate delivery that
        # finished first, the sweep failing it, or the sweep giving it to another attempt (this
        # worker was presumed dead) all leave nothing to update. One conditional UPDATE is the
        # lock, the check and the write at once.
        held = Comparison.objects.filter(
            id=comparison.id, lease=comparison.lease, status=Comparison.Status.PROCESSING
        )
        if not held.update(**outcome):
            return Comparison.objects.get(id=comparison.id)
        for field, value in outcome.items():
            setattr(comparison, field, value)
        billing.credits_settle(comparison_id=comparison.id)
        webhooks.deliveries_start(comparison=comparison)
    return comparison


def comparison_fail(
    *, comparison_id: uuid.UUID, code: str, detail: str, lease: uuid.UUID | None = None
) -> Comparison:
    """Mark a job failed and refund its credit. A job that is already final is left as it is,
    and so is one that another attempt holds (when `lease` names the caller's attempt)."""
    with transaction.atomic():
        comparison = Comparison.objects.select_for_update().get(id=comparison_id)
        if comparison.is_final or (lease is not None and comparison.lease != lease):
            return comparison
        comparison.status = Comparison.Status.ERROR
        comparison.error_code = code
        comparison.error_detail = detail
        comparison.finished_at = timezone.now()
        comparison.save(update_fields=["status", "error_code", "error_detail", "finished_at"])
        billing.credits_refund(comparison_id=comparison.id)
        webhooks.deliveries_start(comparison=comparison)
    return comparison


# --- the diff image, drawn on first request ----------------------------------------------------


def comparison_diff_png(*, comparison: Comparison) -> bytes | None:
    """The comparison's diff image as PNG bytes; None when it has none (a text comparison), or it
    was never stored and its inputs are gone. One not stored yet is drawn by running the engine
    again on the stored inputs with the same options (the same picture, byte for byte), then
    stored, so later requests only read it. Two first requests at once both draw it; they store
    the same bytes."""
    if not comparison.diff_file or comparison.status != Comparison.Status.DONE:
        return None
    try:
        return storage.read(name=comparison.diff_file)
    except FileNotFoundError:
        pass
    if comparison.files_purged_at is not None:
        return None
    try:
        with _local_inputs(comparison, None, None) as (path_a, path_b):
            result = get_engine(comparison.media_type).compare(
                path_a, path_b, _options(comparison), _no_progress
            )
    except (EngineError, FileNotFoundError):
        log.warning("could not draw the diff image of %s", comparison.id, exc_info=True)
        return None
    drawn = next((a.data for a in result.artifacts if a.name == DIFF_IMAGE), None)
    if drawn is not None:
        storage.artifact_save(comparison_id=comparison.id, name=DIFF_IMAGE, data=drawn)
    return drawn


def _diff_image_kept(comparison: Comparison) -> bool:
    """Before its inputs are purged: the diff image stored, drawn now if it never was (it cannot
    be drawn once they are gone). False when the store failed: the inputs stay for next time.
    One that cannot be drawn at all (its inputs already lost) is no longer offered: the answer
    drops its `diff_url` rather than point at a 404 for good."""
    if not comparison.diff_file:
        return True
    try:
        try:
            storage.size(name=comparison.diff_file)
        except FileNotFoundError:
            if comparison_diff_png(comparison=comparison) is None:
                Comparison.objects.filter(id=comparison.id).update(diff_file="")
    except StorageUnavailable:
        log.warning("diff image of %s not stored; its inputs are kept", comparison.id)
        return False
    return True


# --- delete -------------------------------------------------------------------------------------


def comparison_delete(*, comparison_id: uuid.UUID, by: object) -> None:
    """Delete a finished comparison with every file stored for it, for its owner only. The ledger
    keeps its entries: the credit was spent, and the books are append-only."""
    with transaction.atomic():
        comparison = Comparison.objects.select_for_update().filter(id=comparison_id).first()
        if comparison is None or comparison.user_id != getattr(by, "pk", None):
            raise ComparisonNotYours()
        if not comparison.is_final:
            raise ComparisonRunning()
        # Files first: if the store fails, the row stays and the user can try again.
        storage.folder_delete(comparison_id=comparison.id)
        comparison.delete()
    kept.forget(comparison_id=comparison_id)  # the view built from the files goes with them


# --- housekeeping (periodic tasks) -------------------------------------------------------------


def comparisons_sweep_stale(*, now: datetime | None = None) -> dict[str, int]:
    """Send jobs waiting in the outbox, requeue jobs whose worker died, fail jobs out of
    attempts (with a refund): see comparisons/jobs.py."""
    return jobs.sweep(now=now)


def uploads_purge(*, now: datetime | None = None) -> int:
    """Delete input files older than the retention period; results and diff images stay."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.UPLOAD_RETENTION_HOURS)
    old = Comparison.objects.filter(files_purged_at__isnull=True, created_at__lt=cutoff).filter(
        status__in=[Comparison.Status.DONE, Comparison.Status.ERROR]
    )
    purged = 0
    for comparison in old.iterator():
        if not _diff_image_kept(comparison):
            continue
        thumbnails.thumbnails_make(comparison=comparison)  # the History page keeps its previews
        _delete_inputs(comparison)
        Comparison.objects.filter(id=comparison.id).update(files_purged_at=now)
        purged += 1
    return purged
