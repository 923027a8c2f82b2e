"""The website's comparator. It calls the same `comparison_submit` service as the API and polls
the same job endpoint; there is no second path."""

from __future__ import annotations

import uuid
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from accounts.models import User
from comparisons import inputs, selectors, services
from comparisons.errors import InvalidThreshold
from comparisons.models import Comparison
from comparisons.serializers import ComparisonSerializer
from diffall.errors import DomainError


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
            messages.error(request, exc.detail)
            return redirect("home")


@csrf_protect
def _compare_submit(request: HttpRequest, workdir: Path) -> HttpResponse:
    file_a, file_b = inputs.collect(request.FILES, request.POST, workdir)
    comparison = services.comparison_submit(
        user=cast(User, request.user), file_a=file_a, file_b=file_b,  # login_required
        mode=request.POST.get("mode") or None,
        threshold=_threshold(request.POST.get("threshold")),
        source=Comparison.Source.WEB,
    )  # fmt: skip
    return redirect("comparisons:comparison_page", job_id=comparison.id)


def _threshold(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidThreshold("threshold must be a number from 0 to 100.") from None


@login_required
def comparison_page(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    comparison = get_object_or_404(selectors.comparisons_for(user=request.user), id=job_id)
    return render(
        request,
        "comparisons/result.html",
        {"comparison": comparison, "result": ComparisonSerializer(comparison).data},
    )


def api_docs(request: HttpRequest) -> HttpResponse:
    return render(
        request, "comparisons/api_docs.html", {"host": request.build_absolute_uri("/")[:-1]}
    )
