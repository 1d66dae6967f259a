"""API of end-user certificates at /api/v1/euc/: verify a seal; draft, issue and read certificates; record a use."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from attkit.core import apidocs
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, require
from attkit.euc import services, verifying
from attkit.euc.models import EndUserCertificate, remaining_quantities

router = Router(tags=["end-user certificates"])

MAX_BODY = 16 * 1024 * 1024


class VerifyOut(Schema):
    verdict: str
    valid: bool
    title: str
    reasons: list[str]
    reason_codes: list[str]
    advice: str
    warnings: list[str]
    certificate: dict[str, Any] | None
    payload: dict[str, Any] | None
    seal: str | None
    issuer: str | None
    kid: str | None
    serial: str | None
    registry: dict[str, Any] | None
    signature_ok: bool
    checked_at: str | None


class ErrorOut(Schema):
    detail: Any


@router.post(
    "/verify",
    response={200: VerifyOut, 422: ErrorOut},
    summary="Verify an EUC or DVC seal: QR text (JSON {\"text\"}) or a PDF, PNG or JPEG (multipart 'file')",
    openapi_extra=apidocs.VERIFY_REQUEST,
)
def verify(request: AuthedRequest) -> Any:
    require(request.user, Permission.EUC_VERIFY)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Upload the certificate as a PDF, PNG or JPEG in the field 'file'.")})
        data = upload.read(MAX_BODY + 1)
        result = verifying.verify_bytes(data, filename=upload.name or "", user=request.user)
    else:
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ValidationError({"text": _("Send a JSON object with the seal text in 'text'.")}) from None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ValidationError({"text": _("Send a JSON object with the seal text in 'text'.")})
        if len(text) > verifying.MAX_TEXT:
            raise ValidationError({"text": _("The text is longer than any seal.")})
        result = verifying.verify_text(text, user=request.user)
    return verifying.output(result)


class CertificateOut(Schema):
    id: UUID
    serial: str | None
    status: str
    authority: str
    issue_date: str | None
    expiry_date: str | None
    seal: str
    document_hash: str
    remaining: dict[str, int]


def _out(euc: EndUserCertificate) -> dict[str, Any]:
    return {
        "id": euc.pk,
        "serial": euc.serial,
        "status": euc.effective_status().value,
        "authority": euc.authority.code,
        "issue_date": euc.issue_date.isoformat() if euc.issue_date else None,
        "expiry_date": euc.expiry_date.isoformat() if euc.expiry_date else None,
        "seal": euc.seal_text,
        "document_hash": euc.document_hash,
        "remaining": {str(k): v for k, v in remaining_quantities(euc).items()},
    }


@router.post(
    "/certificates",
    response={201: CertificateOut, 403: ErrorOut, 422: ErrorOut},
    summary="Draft a certificate from a model v1 request (examples/euc-request.json)",
)
def draft(request: AuthedRequest) -> Any:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("Send the request as a JSON object.")) from None
    if not isinstance(body, dict):
        raise ValidationError(_("Send the request as a JSON object."))
    euc = services.draft_from_request(by=request.user, request=body)
    return Status(201, _out(euc))


@router.post(
    "/certificates/{euc_id}/issue",
    response={200: CertificateOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Issue a draft (four eyes: not by its drafter)",
)
def issue(request: AuthedRequest, euc_id: UUID) -> Any:
    return _out(services.issue(euc_id, by=request.user))


@router.get(
    "/certificates/{serial}",
    response={200: CertificateOut, 404: ErrorOut},
    summary="One of your authority's certificates by its serial",
)
def get_certificate(request: AuthedRequest, serial: str) -> Any:
    require(request.user, Permission.EUC_VIEW)
    return _out(services.get_by_serial(serial, by=request.user))


class UseIn(Schema):
    serial: str
    seal: str
    exporting_state: str
    exporter: str
    licence_reference: str
    quantities: dict[int, int]


class UseOut(Schema):
    id: UUID
    certificate: str
    status: str
    flagged: bool
    flags: list[dict[str, str]]
    remaining: dict[str, int]


@router.post(
    "/uses",
    response={201: UseOut, 403: ErrorOut, 422: ErrorOut},
    summary="Record a use (drawdown) of another state's certificate, found by its serial and seal",
)
def record_use(request: AuthedRequest, body: UseIn) -> Any:
    require(request.user, Permission.EUC_DRAWDOWN)
    located = services.locate_by_seal(by=request.user, serial=body.serial, seal_text=body.seal)
    if located.certificate is None:
        raise ValidationError(
            {
                "seal": [
                    _("The seal does not verify for this serial: %(verdict)s") % {"verdict": located.verification.title}
                ]
            }
        )
    use = services.record_use(
        located.certificate,
        exporting_state=body.exporting_state,
        exporter=body.exporter,
        licence_reference=body.licence_reference,
        quantities=body.quantities,
        by=request.user,
    )
    euc = use.certificate
    return Status(
        201,
        {
            "id": use.pk,
            "certificate": euc.serial,
            "status": euc.status,
            "flagged": use.flagged,
            "flags": use.flags,
            "remaining": {str(k): v for k, v in remaining_quantities(euc).items()},
        },
    )
