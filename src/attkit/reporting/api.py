"""JSON API of records and reports, mounted at /api/v1/reporting/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from attkit.core.http import AuthedRequest
from attkit.core.models import Authority
from attkit.core.permissions import Permission, require
from attkit.reporting import importer, services
from attkit.reporting.models import ImportKind, ReportKind, TransferRecord

router = Router(tags=["reporting"])


class RecordIn(Schema):
    direction: str
    basis: str
    category: str
    year: int | None = None
    date: dt.date | None = None
    quantity: int | None = None
    value: Decimal | None = None
    currency: str = ""
    model_type: str = ""
    description: str = ""
    hs_code: str = ""
    exporting_state: str = ""
    importing_state: str = ""
    transit_states: list[str] = []
    state_of_origin: str = ""
    intermediate_location: str = ""
    end_user: str = ""
    end_user_type: str = ""
    licence_reference: str = ""
    euc_serial: str = ""
    comments: str = ""


class RecordOut(Schema):
    id: UUID
    reference: str
    direction: str
    basis: str
    year: int
    date: dt.date | None
    category: str
    quantity: int | None
    value: Decimal | None
    currency: str
    model_type: str
    description: str
    hs_code: str
    exporting_state: str
    importing_state: str
    transit_states: list[str]
    state_of_origin: str
    intermediate_location: str
    partner_state: str
    end_user: str
    end_user_type: str
    licence_reference: str
    euc_serial: str
    comments: str
    source: str
    source_id: str
    is_current: bool
    supersedes_id: UUID | None
    correction_reason: str
    retain_until: dt.date
    created_at: dt.datetime


class CorrectionIn(Schema):
    reason: str
    changes: dict[str, Any]


class DeleteIn(Schema):
    reason: str = ""


class ImportProblemOut(Schema):
    row: int
    column: str
    reason: str


class ErrorOut(Schema):
    detail: Any


class ImportOut(Schema):
    ok: bool
    dry_run: bool
    rows: int
    created: int
    problems: list[ImportProblemOut]


class RetentionOut(Schema):
    year: int
    records: int
    current: int
    retain_until_first: dt.date | None
    retain_until_last: dt.date | None
    deletable: int


def _authority(request: AuthedRequest) -> Authority:
    from django.core.exceptions import PermissionDenied

    if request.user.authority is None:
        raise PermissionDenied("Your account belongs to no authority.")
    return request.user.authority


MAX_OFFSET = 10**9


@router.get("/records", response=list[RecordOut], summary="Transfer records of the caller's authority")
def list_records(  # noqa: PLR0917  (ninja reads the query parameters from the signature)
    request: AuthedRequest,
    year: int | None = None,
    direction: str = "",
    basis: str = "",
    category: str = "",
    history: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> Any:
    require(request.user, Permission.RECORDS_VIEW)
    records = TransferRecord.objects.for_user(request.user)
    if not history:
        records = records.current()
    if year is not None:
        records = records.filter(year=year)
    for name, value in (("direction", direction), ("basis", basis), ("category", category)):
        if value:
            records = records.filter(**{name: value})
    offset = min(max(0, offset), MAX_OFFSET)  # an offset past 2**63 overflowed the database driver (a 500)
    return list(records.order_by("-year", "reference")[offset : offset + max(1, min(limit, 1000))])


@router.post("/records", response={201: RecordOut}, summary="Keep a transfer record (source: manual)")
def create_record(request: AuthedRequest, body: RecordIn) -> Any:
    record = services.record_transfer(authority=_authority(request), by=request.user, **body.dict())
    return Status(201, record)


_EXPORT_DOC = {
    "responses": {
        200: {
            "description": "The records (an attachment)",
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }
}
_REPORT_DOC = {
    "responses": {
        200: {
            "description": "The report (JSON inline; CSV and XLSX as an attachment)",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    }
}


@router.get("/records/export", summary="Export records as CSV or JSON", openapi_extra=_EXPORT_DOC)
def export_records(
    request: AuthedRequest,
    format: Literal["csv", "json"] = "json",  # noqa: A002
    year: int | None = None,
) -> HttpResponse:
    require(request.user, Permission.RECORDS_VIEW)
    if format not in ("csv", "json"):
        raise ValidationError({"format": ["Choose csv or json."]})
    records = TransferRecord.objects.for_user(request.user).current()
    if year is not None:
        records = records.filter(year=year)
    content = services.export_records(records.order_by("year", "reference").iterator(chunk_size=2000), format)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if format == "csv" else "application/json")
    response["Content-Disposition"] = f'attachment; filename="records.{format}"'
    return response


@router.post(
    "/records/import",
    response={200: ImportOut, 422: ImportOut | ErrorOut},
    summary="Import records from a CSV file",
)
def import_records(
    request: AuthedRequest, file: File[UploadedFile], dry_run: bool = False, encoding: str = "utf-8"
) -> Any:
    data = file.read(importer.MAX_BYTES + 1)
    outcome = services.import_csv(
        authority=_authority(request),
        by=request.user,
        kind=ImportKind.RECORDS,
        data=data,
        filename=file.name or "upload.csv",
        encoding=encoding,
        dry_run=dry_run,
    )
    body = {
        "ok": outcome.ok,
        "dry_run": dry_run,
        "rows": outcome.rows,
        "created": outcome.created,
        "problems": [{"row": r, "column": c, "reason": m} for r, c, m in outcome.problems_text],
    }
    return Status(200 if outcome.ok else 422, body)


@router.get("/records/{record_id}", response=RecordOut, summary="One record (any version)")
def get_record(request: AuthedRequest, record_id: UUID) -> Any:
    require(request.user, Permission.RECORDS_VIEW)
    return get_object_or_404(TransferRecord.objects.for_user(request.user), pk=record_id)


@router.get("/records/{record_id}/history", response=list[RecordOut], summary="Every version, oldest first")
def record_history(request: AuthedRequest, record_id: UUID) -> Any:
    require(request.user, Permission.RECORDS_VIEW)
    return services.history(get_object_or_404(TransferRecord.objects.for_user(request.user), pk=record_id))


@router.post("/records/{record_id}/supersede", response={201: RecordOut}, summary="Correct a record")
def supersede(request: AuthedRequest, record_id: UUID, body: CorrectionIn) -> Any:
    return Status(201, services.supersede_record(record_id, by=request.user, reason=body.reason, changes=body.changes))


@router.post("/records/{record_id}/delete", response=list[str], summary="Delete a record after its retention period")
def delete(request: AuthedRequest, record_id: UUID, body: DeleteIn) -> Any:
    return services.delete_record(record_id, by=request.user, reason=body.reason)


@router.get("/retention", response=list[RetentionOut], summary="Records per year and their retention")
def retention(request: AuthedRequest) -> Any:
    require(request.user, Permission.RECORDS_VIEW)
    return services.retention_report(_authority(request))


@router.get(
    "/reports/{kind}",
    summary="The ATT annual report (att) or the UN Register report (unroca)",
    openapi_extra=_REPORT_DOC,
)
def report(  # noqa: PLR0917  (ninja reads the query parameters from the signature)
    request: AuthedRequest,
    kind: str,
    year: int | None = None,
    basis: str = "",
    format: Literal["xlsx", "csv", "json"] = "json",  # noqa: A002
    withheld: bool = False,
    lang: str = "en",
) -> HttpResponse:
    if kind not in ReportKind.values:
        raise Http404
    require(request.user, Permission.REPORTS_VIEW)
    if year is None:
        raise ValidationError({"year": ["Give the reporting year."]})
    report = services.build_report(
        kind, _authority(request), year, basis, withheld=withheld, lang=lang, by=request.user
    )
    content, content_type, name = services.render_report(report, format, lang)
    response = HttpResponse(content, content_type=content_type)
    if format != "json":
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class FindingOut(Schema):
    number: str
    date: dt.date
    hs_code: str
    quantity: int
    licence_reference: str
    findings: list[str]
    declared_to_date: int
    authorised: int | None


@router.get("/reconciliation", response=list[FindingOut], summary="Customs declarations with findings")
def reconciliation(request: AuthedRequest, all: bool = False) -> Any:  # noqa: A002
    require(request.user, Permission.RECORDS_VIEW)
    result = services.reconciliation(_authority(request))
    rows = result.checked if all else result.problems
    return [
        {
            "number": c.declaration.number,
            "date": c.declaration.date,
            "hs_code": c.declaration.hs_code,
            "quantity": c.declaration.quantity,
            "licence_reference": c.declaration.licence_reference,
            "findings": [str(f) for f in c.findings],
            "declared_to_date": c.declared_to_date,
            "authorised": c.authorised,
        }
        for c in rows
    ]
