"""Screening pages: search a name, the lists in force and their changes, the review queue."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from attkit.core.errors import validation_messages
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, has_permission, require
from attkit.screening import services
from attkit.screening.forms import DecisionForm, LoadListForm, SearchForm
from attkit.screening.loaders.model import MAX_FILE_BYTES
from attkit.screening.models import HitStatus, ListVersion, ScreeningHit

UPLOAD_LIMIT = min(MAX_FILE_BYTES, 50 * 1024 * 1024)


def _form_errors(form: SearchForm | DecisionForm | LoadListForm, exc: ValidationError) -> None:
    found = validation_messages(exc)
    if isinstance(found, dict):
        for field, errs in found.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, found)


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.SCREENING_SEARCH)
    form = SearchForm(request.GET or None)
    matches = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            matches = services.search(
                data["name"],
                authority=request.user.authority,
                dob=data["dob"] or None,
                country=(data["country"] or "").upper() or None,
                schema=data["schema"] or None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(
        request,
        "screening/search.html",
        {
            "form": form,
            "matches": matches,
            "versions": services.current_versions(request.user.authority),
            "page_title": _("Screen a name"),
        },
    )


@login_required
def lists(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.SCREENING_SEARCH)
    versions = ListVersion.objects.filter(authority__isnull=True) | ListVersion.objects.filter(
        authority=request.user.authority
    )
    page = Paginator(versions.order_by("-loaded_at"), 25).get_page(request.GET.get("page"))
    form = LoadListForm() if has_permission(request.user, Permission.SCREENING_LOAD) else None
    return render(request, "screening/lists.html", {"page": page, "form": form, "page_title": _("Lists")})


@login_required
def list_version(request: AuthedRequest, version_id: str) -> HttpResponse:
    require(request.user, Permission.SCREENING_SEARCH)
    version = (
        ListVersion.objects.filter(authority__isnull=True)
        | ListVersion.objects.filter(authority=request.user.authority)
    ).get(pk=version_id)
    return render(request, "screening/list_version.html", {"version": version, "page_title": _("List version")})


@login_required
def load(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.SCREENING_LOAD)
    form = LoadListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > UPLOAD_LIMIT:
            form.add_error("file", _("The file is too large for an upload; load it with the command line."))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "list-upload"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                try:
                    version = services.load_list(
                        form.cleaned_data["kind"], path, by=request.user, name=form.cleaned_data["name"]
                    )
                except ValidationError as exc:
                    _form_errors(form, exc)
                else:
                    messages.success(request, _("The list was loaded."))
                    return redirect("screening:list_version", version_id=version.pk)
    return render(request, "screening/load.html", {"form": form, "page_title": _("Load a list")})


@login_required
def hits(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.SCREENING_REVIEW)
    status = request.GET.get("status", HitStatus.PENDING)
    qs = ScreeningHit.objects.for_user(request.user).filter(run__is_latest=True).select_related("run")
    if status in HitStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-score", "-created_at"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/hits.html",
        {"page": page, "status": status, "statuses": HitStatus.choices, "page_title": _("Hits to review")},
    )


@login_required
def hit(request: AuthedRequest, hit_id: str) -> HttpResponse:
    require(request.user, Permission.SCREENING_REVIEW)
    the_hit = ScreeningHit.objects.for_user(request.user).select_related("run", "list_version").get(pk=hit_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_hit(
                the_hit.pk,
                by=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your decision was recorded."))
            return redirect("screening:hits")
    return render(request, "screening/hit.html", {"hit": the_hit, "form": form, "page_title": _("Review a hit")})
