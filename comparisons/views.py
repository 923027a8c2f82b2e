"""The website's comparator and the History page around it. The comparator calls the same
`comparison_submit` service as the API and polls the same job endpoint; there is no second path."""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from billing.services import NoCredits
from comparisons import inputs, selectors, services, storage, thumbnails
from comparisons.errors import InvalidThreshold, StorageUnavailable
from comparisons.forms import HistoryFilterForm
from comparisons.models import Comparison
from comparisons.results import page as result_page
from comparisons.serializers import ComparisonSerializer
from comparisons.web_errors import CHOOSE_TWO, message_for
from diffall.byte_ranges import ranged_file_response
from diffall.errors import DomainError

HISTORY_PAGE_SIZE = 20
SLOTS = {"file1": "a", "file2": "b"}


@csrf_exempt  # only so the upload handler can be set before the body is read; see below
@login_required
@require_POST
def compare_submit(request: HttpRequest) -> HttpResponse:
    # CsrfViewMiddleware reads request.POST, which parses the upload; the documented way to use
    # a custom upload handler is to set it first and check the CSRF token right after.
    with TemporaryDirectory(prefix="diffall-in-") as tmp:
        request.upload_handlers = [inputs.CappedUploadHandler(Path(tmp), request)]
        try:  # the upload cap is enforced while the CSRF check reads the body
            return _compare_submit(request, Path(tmp))
        except DomainError as exc:  # the API answers these with a status; the page with a message
            if not isinstance(exc, NoCredits):  # the home page shows the paywall panel instead
                messages.error(request, message_for(exc))
            return redirect("home")


@csrf_protect
def _compare_submit(request: HttpRequest, workdir: Path) -> HttpResponse:
    missing = _missing_sides(request)
    if missing:
        messages.error(request, missing)
        return redirect("home")
    file_a, file_b = inputs.collect(request.FILES, request.POST, workdir)
    comparison = services.comparison_submit(
        user=cast(User, request.user), file_a=file_a, file_b=file_b,  # login_required
        mode=request.POST.get("mode") or None,
        threshold=_threshold(request.POST.get("threshold")),
        source=Comparison.Source.WEB,
    )  # fmt: skip
    return redirect("comparisons:comparison_page", job_id=comparison.id)


def _missing_sides(request: HttpRequest) -> str:
    """The form's own words when a side has neither a file nor a link ("" when both have one)."""
    empty = [
        label
        for label, (field, url_field) in zip(("File 1", "File 2"), inputs.SLOTS, strict=True)
        if not request.FILES.get(field) and not request.POST.get(url_field, "").strip()
    ]
    if len(empty) == 2:
        return CHOOSE_TWO
    if empty:
        return f"Choose {empty[0]} as well (or paste a link to it)."
    return ""


def _threshold(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidThreshold("threshold must be a number from 0 to 100.") from None


def _own(request: HttpRequest, job_id: uuid.UUID) -> Comparison:
    """The comparison if it is the signed-in user's; 404 for anyone else (no leak either way)."""
    return get_object_or_404(selectors.comparisons_for(user=request.user), id=job_id)


@login_required
def comparison_page(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    comparison = _own(request, job_id)
    data = ComparisonSerializer(comparison).data
    return render(request, "comparisons/result.html", result_page.context(comparison, data))


@login_required
@require_GET
def comparison_fragment(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The result page's content alone: the page swaps it in when a job it watched finishes,
    so the result appears in place, without a reload."""
    comparison = _own(request, job_id)
    context = result_page.context(comparison, ComparisonSerializer(comparison).data)
    response = render(request, "comparisons/result/_page.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET)
    filters = form.filters()
    rows = selectors.comparisons_history(user=request.user, **filters)
    page = Paginator(rows, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(filters.values()),
        "here": request.get_full_path(),
    }
    return render(request, "comparisons/history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def comparison_delete(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """Delete one comparison with its files. Without JavaScript (or from a GET) the user sees a
    confirmation page first; the History page's confirm() dialog sets confirm=yes."""
    comparison = _own(request, job_id)
    back = _safe_next(request)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        context = {"comparison": comparison, "next": back}
        return render(request, "comparisons/delete.html", context)
    try:
        services.comparison_delete(comparison_id=comparison.id, by=request.user)
    except services.ComparisonNotYours:
        raise Http404("No such comparison") from None
    except services.ComparisonRunning:
        messages.error(request, "This comparison is still running: delete it once it is done.")
        return redirect("comparisons:comparison_page", job_id=comparison.id)
    except StorageUnavailable:
        messages.error(request, "The files could not be deleted just now; try again shortly.")
        return redirect(back)
    messages.success(
        request, f"Deleted the comparison of “{comparison.name_a}” and “{comparison.name_b}”."
    )
    return redirect(back)


def _safe_next(request: HttpRequest) -> str:
    """Where to go after a delete: back to the History page the user came from, never off-site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/history"


@login_required
@require_GET
def comparison_thumbnail(request: HttpRequest, job_id: uuid.UUID, slot: str) -> HttpResponse:
    """A small preview of one image of the user's own comparison."""
    comparison = _own(request, job_id)
    if slot not in SLOTS:
        raise Http404("No such file")
    try:
        data = thumbnails.thumbnail_png(comparison=comparison, slot=SLOTS[slot])
    except thumbnails.NoThumbnail:
        raise Http404("No preview") from None
    except StorageUnavailable:
        return HttpResponse(status=503, headers={"Retry-After": "30"})
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def comparison_file(request: HttpRequest, job_id: uuid.UUID, slot: str) -> HttpResponseBase:
    """One original input of the user's own comparison, while it is kept (see
    UPLOAD_RETENTION_HOURS). Media plays inline, and answers byte ranges so a player can seek;
    text is downloaded, never rendered as a page."""
    comparison = _own(request, job_id)
    if slot not in SLOTS:
        raise Http404("No such file")
    name = comparison.file_a if slot == "file1" else comparison.file_b
    if not name or comparison.files_purged_at is not None:
        raise Http404("The file is no longer kept")
    try:
        return _stored_file(request, comparison, slot, name)
    except FileNotFoundError:
        raise Http404("The file is no longer kept") from None
    except StorageUnavailable:
        return HttpResponse(status=503, headers={"Retry-After": "30"})


def _stored_file(
    request: HttpRequest, comparison: Comparison, slot: str, name: str
) -> HttpResponseBase:
    shown = comparison.name_a if slot == "file1" else comparison.name_b
    file_format = comparison.format_a if slot == "file1" else comparison.format_b
    inline = comparison.media_type in ("image", "video", "audio")
    content_type = mimetypes.guess_type(f"x.{file_format}")[0] if inline else None
    response = ranged_file_response(
        request, size=storage.size(name=name),
        whole=lambda: storage.open_read(name=name),
        part=lambda first, last: storage.open_range(name=name, first=first, last=last),
        as_attachment=not inline, filename=Path(shown).name or f"{slot}.{file_format}",
        content_type=content_type or "text/plain; charset=utf-8",
    )  # fmt: skip
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"  # never a live page
    response["Cache-Control"] = "private, max-age=3600"
    return response


def api_docs(request: HttpRequest) -> HttpResponse:
    return render(
        request, "comparisons/api_docs.html", {"host": request.build_absolute_uri("/")[:-1]}
    )
