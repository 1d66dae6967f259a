"""Pages: verify a seal (upload, paste, camera), and the authority's keys and trust lists (administrators)."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from attkit.core import nav
from attkit.core.errors import validation_messages
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, has_permission, require
from attkit.seals import services, verification
from attkit.seals.forms import ConfirmForm, ImportTrustListForm, PasteForm, RevokeSignerForm, UploadForm
from attkit.seals.models import CertificateRole, CertificateStatus, SignerCertificate

logger = logging.getLogger(__name__)

# Verdicts that mean "look again" rather than "this document is bad": a calm amber panel, not red.
_WARNING_VERDICTS = {verification.Verdict.NO_SEAL_FOUND, verification.Verdict.WRONG_PREFIX}


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            "seals-verify",
            gettext_lazy("Verify a certificate"),
            "seals:verify",
            Permission.EUC_VERIFY,
            gettext_lazy("Check the seal of an end-user certificate or licence: upload, paste or use the camera."),
            order=40,
        )
    )
    nav.register(
        nav.NavItem(
            "seals-keys",
            gettext_lazy("Seal keys and trust lists"),
            "seals:keys",
            Permission.SEALS_MANAGE,
            gettext_lazy("Your authority's signing certificates, and the trust lists of other states."),
            order=880,
        )
    )


def require_verifier(user: Any) -> None:
    if not (has_permission(user, Permission.EUC_VERIFY) or has_permission(user, Permission.LICENCE_VERIFY)):
        raise PermissionDenied(_("You do not have permission to verify seals."))


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Rows (path, value) of a decoded document, for a table that shows everything the seal says."""
    rows: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            rows.extend(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        if not value:
            rows.append((prefix, "—"))
        for index, item in enumerate(value, start=1):
            rows.extend(flatten(item, f"{prefix}[{index}]"))
    else:
        rows.append((prefix, "—" if value is None else str(value)))
    return rows[:500]


def panel_class(result: verification.Verification) -> str:
    if result.valid:
        return "valid"
    return "warning" if result.verdict in _WARNING_VERDICTS else "invalid"


def _usable_template(name: str | None) -> str | None:
    """A document app's template for the decoded document, if it exists; else the generic table is shown."""
    if not name:
        return None
    try:
        get_template(name)
    except TemplateDoesNotExist:
        logger.warning("Verification template %s does not exist; showing the generic table.", name)
        return None
    return name


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthedRequest) -> HttpResponse:
    require_verifier(request.user)
    paste = PasteForm(prefix="paste")
    upload = UploadForm(prefix="upload")
    result: verification.Verification | None = None
    if request.method == "POST":
        if request.POST.get("way") == "upload":
            upload = UploadForm(request.POST, request.FILES, prefix="upload")
            if upload.is_valid():
                result = verification.verify_file(upload.cleaned_data["file"], upload.filename, user=request.user)
        else:
            paste = PasteForm(request.POST, prefix="paste")
            if paste.is_valid():
                result = verification.verify_text(paste.cleaned_data["text"], user=request.user)
    status = 200
    context: dict[str, Any] = {
        "paste_form": paste,
        "upload_form": upload,
        "result": result,
        "page_title": _("Verify a certificate"),
    }
    if result is not None:
        # The forms below the answer are for the next certificate: start them empty.
        context.update(paste_form=PasteForm(prefix="paste"), upload_form=UploadForm(prefix="upload"))
        context.update(
            panel=panel_class(result),
            document_template=_usable_template(result.template),
            certificate_rows=flatten(result.certificate) if result.certificate else [],
            registry_rows=flatten(result.registry) if result.registry else [],
        )
    elif request.method == "POST":
        status = 400
    return render(request, "seals/verify.html", context, status=status)


def _require_manager(user: Any) -> None:
    require(user, Permission.SEALS_MANAGE)
    if user.authority is None:
        raise PermissionDenied(_("You do not belong to an authority."))


@login_required
def keys(request: AuthedRequest) -> HttpResponse:
    _require_manager(request.user)
    authority = request.user.authority
    assert authority is not None  # _require_manager checked it
    overview = services.overview(authority)
    root = next((r for r in overview.roots if r.status == CertificateStatus.ACTIVE), None)
    return render(
        request,
        "seals/keys.html",
        {
            "overview": overview,
            "root": root,
            "authority": authority,
            "can_trust": has_permission(request.user, Permission.TRUST_MANAGE),
            "page_title": _("Seal keys and trust lists"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rotate(request: AuthedRequest) -> HttpResponse:
    _require_manager(request.user)
    authority = request.user.authority
    assert authority is not None
    current = services.active_signer(authority)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new = services.rotate_signer(authority, by=request.user)
        messages.success(
            request,
            _(
                "A new document signer (%(kid)s) now seals documents. Export your trust list and send it to the "
                "states that verify your seals."
            )
            % {"kid": new.kid},
        )
        return redirect("seals:keys")
    return render(
        request, "seals/rotate.html", {"form": form, "current": current, "page_title": _("Rotate the document signer")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke_signer(request: AuthedRequest, pk: UUID) -> HttpResponse:
    _require_manager(request.user)
    row = get_object_or_404(
        SignerCertificate.objects.for_user(request.user).exclude(status=CertificateStatus.REVOKED),
        pk=pk,
        role=CertificateRole.SIGNER,
    )
    form = RevokeSignerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_signer(row.authority, row.kid, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _(
                    "The signer %(kid)s is revoked. Export your trust list and send it to the "
                    "states that verify your seals."
                )
                % {"kid": row.kid},
            )
            return redirect("seals:keys")
    return render(
        request, "seals/revoke_signer.html", {"form": form, "signer": row, "page_title": _("Revoke a document signer")}
    )


@login_required
@require_POST
def export(request: AuthedRequest) -> HttpResponse:
    if not (
        has_permission(request.user, Permission.SEALS_MANAGE) or has_permission(request.user, Permission.TRUST_MANAGE)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))
    authority = request.user.authority
    if authority is None:
        raise PermissionDenied(_("You do not belong to an authority."))
    data = services.export_trust_list(authority, by=request.user)
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="attkit-trust-list-{authority.code}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.TRUST_MANAGE)
    authority = request.user.authority
    if authority is None:
        raise PermissionDenied(_("You do not belong to an authority."))
    form = ImportTrustListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.import_trust_list(
                form.cleaned_data["file"], into=authority, by=request.user, fingerprint=form.cleaned_data["fingerprint"]
            )
        except ValidationError as exc:
            form.add_service_errors(validation_messages(exc))
        else:
            if row.pinned:
                messages.success(
                    request, _("The trust list of %(issuer)s is imported and in use.") % {"issuer": row.issuer_code}
                )
            else:
                messages.warning(
                    request,
                    _(
                        "The trust list of %(issuer)s is kept but NOT used: confirm its root fingerprint %(fp)s with "
                        "%(issuer)s, then import it again with that fingerprint."
                    )
                    % {"issuer": row.issuer_code, "fp": row.root_fingerprint},
                )
            return redirect("seals:keys")
    return render(request, "seals/import.html", {"form": form, "page_title": _("Import a trust list")})
