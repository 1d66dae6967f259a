"""API of seals: verify a seal (text or file), this authority's trust list, and importing another's."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, has_permission, require
from attkit.seals import services, verification
from attkit.seals.models import ImportedTrustList
from attkit.seals.trustlist import MAX_TRUST_LIST_BYTES

router = Router(tags=["seals"])

MAX_JSON_BODY = 64 * 1024


class SealVerifyOut(Schema):
    verdict: str
    valid: bool
    title: str
    reasons: list[str]
    reason_codes: list[str]
    advice: str
    warnings: list[str]
    certificate: dict[str, Any] | None
    seal: str | None
    issuer: str | None
    kid: str | None
    serial: str | None
    prefix: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    signer: str | None
    registry: dict[str, Any] | None
    checked_at: datetime | None
    online: bool
    signature_ok: bool


class ErrorOut(Schema):
    detail: Any


class TrustListOut(Schema):
    id: UUID
    issuer: str
    pinned: bool
    root_fingerprint: str
    issued_at: datetime
    imported_at: datetime
    signers: int
    revoked_serials: int


_VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {"type": "string", "description": "The seal text (the content of the QR code)."},
                        "online": {"type": "boolean", "default": True, "description": "Add the registry status."},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG."},
                        "online": {"type": "boolean", "default": True},
                    },
                }
            },
        },
    }
}


_TRUST_LIST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["trust_list"],
                    "properties": {
                        "trust_list": {"type": ["object", "string"], "description": "The trust list or its text."},
                        "fingerprint": {"type": "string", "description": "The issuer's root fingerprint, to pin."},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The trust list (JSON)."},
                        "fingerprint": {"type": "string"},
                    },
                }
            },
        },
    }
}


def _json_body(request: AuthedRequest) -> dict[str, Any]:
    if len(request.body) > MAX_JSON_BODY:
        raise ValidationError(_("The request is too large for a seal."))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(_("The body is not valid JSON.")) from exc
    if not isinstance(body, dict):
        raise ValidationError(_("The body must be a JSON object."))
    return body


def _flag(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("0", "false", "no", "off")


@router.post(
    "/verify",
    response=SealVerifyOut,
    summary='Verify a seal: JSON {"text": ...} or a multipart file (PDF, PNG, JPEG)',
    openapi_extra=_VERIFY_BODY,
)
def verify(request: AuthedRequest) -> dict[str, Any]:
    verification_user = request.user
    if request.content_type and request.content_type.startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Send the file in the field 'file'.")]})
        if upload.size is not None and upload.size > verification.MAX_FILE_BYTES:
            raise ValidationError({"file": [_("The file is larger than 15 MB; upload a smaller scan or photo.")]})
        data = upload.read(verification.MAX_FILE_BYTES + 1)
        result = verification.verify_file(
            data,
            upload.name or "",
            upload.content_type or "",
            user=verification_user,
            online=_flag(request.POST.get("online")),
        )
    else:
        body = _json_body(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise ValidationError({"text": [_("Send the seal text as a string in 'text'.")]})
        result = verification.verify_text(text, user=verification_user, online=_flag(body.get("online")))
    return result.as_dict()


def _own_authority(request: AuthedRequest) -> Any:
    authority = request.user.authority
    if authority is None:
        raise PermissionDenied(_("You do not belong to an authority."))
    return authority


@router.get(
    "/trust-list",
    summary="This authority's signed trust list (JSON, as other states import it)",
    response={200: dict[str, Any]},
)
def trust_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (has_permission(user, Permission.SEALS_MANAGE) or has_permission(user, Permission.TRUST_MANAGE)):
        raise PermissionDenied(_("You do not have permission to do this."))
    authority = _own_authority(request)
    data = services.export_trust_list(authority, by=user)
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="attkit-trust-list-{authority.code}.json"'
    return response


def _out(row: ImportedTrustList) -> dict[str, Any]:
    return {
        "id": row.id,
        "issuer": row.issuer_code,
        "pinned": row.pinned,
        "root_fingerprint": row.root_fingerprint,
        "issued_at": row.issued_at,
        "imported_at": row.imported_at,
        "signers": len(row.signers or []),
        "revoked_serials": len(row.revoked_serials or []),
    }


@router.get("/trust-lists", response=list[TrustListOut], summary="The trust lists this authority imported")
def trust_lists(request: AuthedRequest) -> list[dict[str, Any]]:
    require(request.user, Permission.TRUST_MANAGE)
    rows = ImportedTrustList.objects.for_user(request.user).filter(is_current=True).order_by("issuer_code")
    return [_out(row) for row in rows]


@router.post(
    "/trust-lists",
    response={201: TrustListOut, 422: ErrorOut},
    summary="Import another authority's trust list: multipart (file, fingerprint) or JSON {trust_list, fingerprint}",
    openapi_extra=_TRUST_LIST_BODY,
)
def import_trust_list(request: AuthedRequest) -> Status[dict[str, Any]]:
    require(request.user, Permission.TRUST_MANAGE)
    authority = _own_authority(request)
    if request.content_type and request.content_type.startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Send the trust list in the field 'file'.")]})
        data = upload.read(MAX_TRUST_LIST_BYTES + 1)
        fingerprint = request.POST.get("fingerprint")
    else:
        if len(request.body) > MAX_TRUST_LIST_BYTES + MAX_JSON_BODY:
            raise ValidationError(_("The trust list is larger than 2 MB."))
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(_("The body is not valid JSON.")) from exc
        if not isinstance(body, dict) or "trust_list" not in body:
            raise ValidationError({"trust_list": [_("Send the trust list in 'trust_list' (an object or its text).")]})
        listed = body["trust_list"]
        data = listed.encode("utf-8") if isinstance(listed, str) else json.dumps(listed).encode("utf-8")
        fingerprint = body.get("fingerprint")
    if fingerprint is not None and not isinstance(fingerprint, str):
        raise ValidationError({"fingerprint": [_("Enter the SHA-256 fingerprint as 64 hexadecimal characters.")]})
    row = services.import_trust_list(data, into=authority, by=request.user, fingerprint=fingerprint)
    return Status(201, _out(row))
