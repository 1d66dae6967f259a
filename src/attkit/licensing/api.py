"""API of transfer licensing at /api/v1/licensing/: applications, screening and flags, advice, decisions,
licences, shipments, denial notices and licence verification. Every handler calls one service."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from attkit.core import apidocs
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, has_permission, require
from attkit.licensing import documents, services, texts
from attkit.licensing.models import (
    Advice,
    Case,
    CaseFlag,
    Decision,
    DocumentKind,
    GoodsLine,
    Party,
    RoutingRule,
    ScreeningHit,
    Shipment,
)

router = Router(tags=["licensing"])

MAX_FILE = 16 * 1024 * 1024


# --- schemas ----------------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: Any


class PartyIn(Schema):
    role: str
    name: str
    country: str
    address: str = ""
    is_state_body: bool = False


class GoodsIn(Schema):
    description: str
    un_category: str
    salw_line: str = ""
    hs_code: str = ""
    national_code: str = ""
    quantity: int
    unit: str = "unit"
    value: Decimal = Decimal("0")
    currency: str = "USD"


class DetailsIn(Schema):
    kind: str
    permanence: str = "permanent"
    temporary_until: dt.date | None = None
    origin_country: str = ""
    destination_country: str = ""
    end_use: str = ""


class CaseIn(DetailsIn):
    parties: list[PartyIn] = []
    goods: list[GoodsIn] = []
    transit: list[str] = []
    euc_serial: str = ""
    euc_seal_text: str = ""


class PartyOut(Schema):
    id: UUID
    role: str
    name: str
    country: str
    address: str
    is_state_body: bool


class GoodsOut(Schema):
    id: UUID
    line_no: int
    description: str
    category: str
    un_category: str
    salw_line: str
    hs_code: str
    national_code: str
    quantity: int
    quantity_shipped: int
    remaining: int
    unit: str
    value: Decimal
    currency: str


class FlagOut(Schema):
    id: UUID
    code: str
    title: str
    message: str
    severity: str
    articles: list[str]
    status: str
    resolution: str
    resolution_reason: str

    @staticmethod
    def resolve_title(obj: CaseFlag) -> str:
        return texts.flag_title(obj.code)

    @staticmethod
    def resolve_message(obj: CaseFlag) -> str:
        return texts.flag_message(obj.code, obj.params)


class HitOut(Schema):
    id: UUID
    party: str
    list_name: str
    entry_ref: str
    listed_name: str
    matched_name: str
    score: float
    status: str
    review_reason: str

    @staticmethod
    def resolve_party(obj: ScreeningHit) -> str:
        return obj.party.name


class AdviceOut(Schema):
    id: UUID
    agency: str
    outcome: str
    reasons: str
    conditions: str
    given_at: dt.datetime | None

    @staticmethod
    def resolve_agency(obj: Advice) -> str:
        return obj.agency.name


class DecisionOut(Schema):
    id: UUID
    outcome: str
    criteria: list[str]
    reasons: str
    conditions: str
    status: str
    proposed_by: str
    countersigned_by: str | None
    countersign_reason: str

    @staticmethod
    def resolve_proposed_by(obj: Decision) -> str:
        return obj.proposed_by.get_username()

    @staticmethod
    def resolve_countersigned_by(obj: Decision) -> str | None:
        return obj.countersigned_by.get_username() if obj.countersigned_by else None


class NextActionOut(Schema):
    text: str
    holder: str


class CaseSummaryOut(Schema):
    id: UUID
    reference: str
    kind: str
    state: str
    state_label: str
    applicant: str
    destination_country: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_applicant(obj: Case) -> str:
        return obj.applicant.name


class CaseOut(CaseSummaryOut):
    permanence: str
    temporary_until: dt.date | None
    origin_country: str
    end_use: str
    euc_serial: str
    euc_verdict: str
    decided_at: dt.datetime | None
    licence_valid_until: dt.date | None
    licence_seal: str
    parties: list[PartyOut]
    goods: list[GoodsOut]
    transit: list[str]
    flags: list[FlagOut]
    next_action: NextActionOut
    working_days: float

    @staticmethod
    def resolve_parties(obj: Case) -> list[Party]:
        return list(obj.parties.all())

    @staticmethod
    def resolve_goods(obj: Case) -> list[GoodsLine]:
        return list(obj.goods.all())

    @staticmethod
    def resolve_transit(obj: Case) -> list[str]:
        return list(obj.transit.values_list("country", flat=True))

    @staticmethod
    def resolve_flags(obj: Case, context: dict[str, Any] | None = None) -> list[CaseFlag]:
        # Flags carry other authorities' denial notices and screening facts: for officials only.
        request = (context or {}).get("request")
        if request is None or not has_permission(request.user, Permission.CASE_VIEW):
            return []
        return list(obj.flags.all())

    @staticmethod
    def resolve_next_action(obj: Case) -> dict[str, str]:
        action = services.next_action(obj)
        return {"text": action.text, "holder": action.holder}

    @staticmethod
    def resolve_working_days(obj: Case) -> float:
        return round(services.clock(obj).working.total_seconds() / 86400, 2)


class DocumentOut(Schema):
    id: UUID
    kind: str
    original_name: str
    media_type: str
    size: int
    sha256: str


class EucIn(Schema):
    serial: str
    seal_text: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ResponseIn(Schema):
    response: str


class ReviewIn(Schema):
    decision: str
    reason: str


class ResolveIn(Schema):
    resolution: str
    reason: str


class AdviceIn(Schema):
    outcome: str
    reasons: str
    conditions: str = ""


class AgencyIn(Schema):
    agency: UUID


class ProposeIn(Schema):
    outcome: str
    criteria: list[str] = []
    reasons: str
    conditions: str = ""


class CountersignIn(Schema):
    agree: bool
    reason: str = ""


class IssueIn(Schema):
    valid_until: dt.date | None = None


class ShipmentLineIn(Schema):
    line: int
    quantity: int
    value: Decimal = Decimal("0")
    hs_code: str = ""
    currency: str = ""


class ShipmentIn(Schema):
    declaration_number: str
    shipment_date: dt.date
    lines: list[ShipmentLineIn]
    notes: str = ""


class ShipmentOut(Schema):
    id: UUID
    declaration_number: str
    shipment_date: dt.date
    lines: list[dict[str, Any]]
    euc_use_id: UUID | None

    @staticmethod
    def resolve_lines(obj: Shipment) -> list[dict[str, Any]]:
        return [
            {"line": row.goods_line.line_no, "quantity": row.quantity, "value": str(row.value), "hs_code": row.hs_code}
            for row in obj.lines.select_related("goods_line")
        ]


class DenialNoticeOut(Schema):
    number: str
    authority: str
    end_user_name: str
    end_user_country: str
    destination_country: str
    categories: list[str]
    criteria: list[str]
    goods_summary: str
    issued_at: dt.datetime


class RoutingRuleIn(Schema):
    agency: UUID
    kind: str = ""
    category: str = ""
    destination: str = ""
    note: str = ""


class RoutingRuleOut(Schema):
    id: UUID
    agency: str
    kind: str
    category: str
    destination: str
    note: str

    @staticmethod
    def resolve_agency(obj: RoutingRule) -> str:
        return obj.agency.name


class VerifyIn(Schema):
    text: str


# --- applications ---------------------------------------------------------------------------------------------


def _case(request: AuthedRequest, case_id: UUID) -> Case:
    return services.get_case(case_id, by=request.user)


def _case_move(
    name: str, service: Callable[..., Case], summary: str, payload: type[Schema] | None = None
) -> Callable[..., Any]:
    """POST /cases/{case_id}/<name, dashed>: `service(case_id, by=user, **payload)` moves the case; answers it.

    The handler is named `name` (its operationId) and takes the payload schema as its body."""

    def bare(request: AuthedRequest, case_id: UUID) -> Any:
        return service(case_id, by=request.user)

    def with_payload(request: AuthedRequest, case_id: UUID, payload: Schema) -> Any:
        return service(case_id, by=request.user, **payload.dict())

    handler = bare if payload is None else with_payload
    if payload is not None:
        handler.__annotations__ = {**handler.__annotations__, "payload": payload}
    handler.__name__ = handler.__qualname__ = name
    path = f"/cases/{{case_id}}/{name.replace('_', '-')}"
    return router.post(path, response={200: CaseOut, 403: ErrorOut, 422: ErrorOut}, summary=summary)(handler)


class CaseFilter(Schema):
    state: str = ""
    kind: str = ""
    flag: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/cases", response=list[CaseSummaryOut], summary="Cases you may see, newest first")
def list_cases(request: AuthedRequest, filters: Query[CaseFilter]) -> Any:
    state, kind, flag, limit, offset = filters.state, filters.kind, filters.flag, filters.limit, filters.offset
    if not (has_permission(request.user, Permission.CASE_VIEW) or has_permission(request.user, Permission.CASE_APPLY)):
        raise PermissionDenied(_("You do not have permission to do this."))
    cases = services.cases_for(request.user).select_related("applicant")
    if state:
        cases = cases.filter(state=state[:32])
    if kind:
        cases = cases.filter(kind=kind[:20])
    if flag:
        cases = cases.filter(flags__code=flag[:40], flags__status="open").distinct()
    start = min(max(offset, 0), 10**9)  # an offset past 2**63 overflowed the database driver (a 500)
    return list(cases[start : start + max(1, min(limit, 200))])


@router.post("/cases", response={201: CaseOut, 403: ErrorOut, 422: ErrorOut}, summary="Start an application")
def create_case(request: AuthedRequest, payload: CaseIn) -> Any:
    case = services.create_application(by=request.user, data=payload.dict())
    return Status(201, case)


@router.get("/cases/{case_id}", response=CaseOut, summary="A case")
def get_case(request: AuthedRequest, case_id: UUID) -> Case:
    return _case(request, case_id)


@router.put("/cases/{case_id}", response={200: CaseOut, 422: ErrorOut}, summary="Change a draft's details")
def update_case(request: AuthedRequest, case_id: UUID, payload: DetailsIn) -> Any:
    return services.update_details(case_id, by=request.user, data=payload.dict())


@router.post("/cases/{case_id}/parties", response={201: PartyOut, 422: ErrorOut}, summary="Add a party to a draft")
def add_party(request: AuthedRequest, case_id: UUID, payload: PartyIn) -> Any:
    return Status(201, services.add_party(case_id, by=request.user, data=payload.dict()))


@router.delete("/cases/{case_id}/parties/{party_id}", response={204: None}, summary="Remove a party")
def remove_party(request: AuthedRequest, case_id: UUID, party_id: UUID) -> Any:
    services.remove_party(case_id, party_id, by=request.user)
    return Status(204, None)


@router.post("/cases/{case_id}/goods", response={201: GoodsOut, 422: ErrorOut}, summary="Add a goods line")
def add_goods(request: AuthedRequest, case_id: UUID, payload: GoodsIn) -> Any:
    return Status(201, services.add_goods_line(case_id, by=request.user, data=payload.dict()))


@router.delete("/cases/{case_id}/goods/{line_id}", response={204: None}, summary="Remove a goods line")
def remove_goods(request: AuthedRequest, case_id: UUID, line_id: UUID) -> Any:
    services.remove_goods_line(case_id, line_id, by=request.user)
    return Status(204, None)


@router.put("/cases/{case_id}/transit", response={200: CaseOut, 422: ErrorOut}, summary="Set the transit route")
def set_transit(request: AuthedRequest, case_id: UUID, countries: list[str]) -> Any:
    return services.set_transit_route(case_id, by=request.user, countries=countries)


@router.put("/cases/{case_id}/euc", response={200: CaseOut, 422: ErrorOut}, summary="Give the EUC (serial and seal)")
def set_euc(request: AuthedRequest, case_id: UUID, payload: EucIn) -> Any:
    return services.set_euc(case_id, by=request.user, serial=payload.serial, seal_text=payload.seal_text)


@router.post(
    "/cases/{case_id}/documents",
    response={201: DocumentOut, 422: ErrorOut},
    summary="Attach a document (PDF, PNG or JPEG, at most 10 MB); kind euc, contract, technical or other",
)
def attach_document(request: AuthedRequest, case_id: UUID, kind: str, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    data = file.read(MAX_FILE + 1)
    return Status(201, services.attach_document(case_id, by=request.user, kind=kind, data=data, name=file.name or ""))


@router.get("/cases/{case_id}/documents", response=list[DocumentOut], summary="Documents of a case")
def list_documents(request: AuthedRequest, case_id: UUID) -> Any:
    return list(_case(request, case_id).documents.all())


@router.get("/cases/{case_id}/documents/{document_id}", summary="Download a document")
def download_document(request: AuthedRequest, case_id: UUID, document_id: UUID) -> FileResponse:
    document = _case(request, case_id).documents.get(pk=document_id)
    return _file(document)


def _file(document: Any) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"), content_type=document.media_type, as_attachment=True, filename=document.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


_PDF_DOC = {
    "responses": {
        200: {
            "description": "The sealed PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/cases/{case_id}/licence.pdf", summary="The sealed licence (PDF)", openapi_extra=_PDF_DOC)
def licence_pdf(request: AuthedRequest, case_id: UUID) -> FileResponse:
    document = documents.latest(_case(request, case_id), DocumentKind.LICENCE)
    if document is None:
        raise Case.DoesNotExist
    return _file(document)


@router.get("/cases/{case_id}/refusal.pdf", summary="The sealed refusal letter (PDF)", openapi_extra=_PDF_DOC)
def refusal_pdf(request: AuthedRequest, case_id: UUID) -> FileResponse:
    document = documents.latest(_case(request, case_id), DocumentKind.REFUSAL)
    if document is None:
        raise Case.DoesNotExist
    return _file(document)


submit = _case_move("submit", services.submit, "Submit")
start_screening = _case_move("start_screening", services.start_screening, "Take a submitted case into screening")
withdraw = _case_move("withdraw", services.withdraw, "Withdraw", ReasonIn)
request_information = _case_move(
    "request_information", services.request_information, "Ask the applicant for information (the clock stops)", ReasonIn
)
provide_information = _case_move(
    "provide_information", services.provide_information, "Answer a request for information", ResponseIn
)


# --- screening and flags ----------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/hits", response=list[HitOut], summary="Screening hits on the parties")
def list_hits(request: AuthedRequest, case_id: UUID) -> Any:
    require(request.user, Permission.CASE_VIEW)
    return list(_case(request, case_id).hits.select_related("party"))


@router.post(
    "/hits/{hit_id}/review",
    response={200: HitOut, 403: ErrorOut, 422: ErrorOut},
    summary="Review a hit: false_positive or true_match, with the reason",
)
def review_hit(request: AuthedRequest, hit_id: UUID, payload: ReviewIn) -> Any:
    return services.review_hit(hit_id, by=request.user, decision=payload.decision, reason=payload.reason)


@router.get("/cases/{case_id}/flags", response=list[FlagOut], summary="Automatic flags of a case")
def list_flags(request: AuthedRequest, case_id: UUID) -> Any:
    require(request.user, Permission.CASE_VIEW)
    return list(_case(request, case_id).flags.all())


@router.post(
    "/flags/{flag_id}/resolve",
    response={200: FlagOut, 403: ErrorOut, 422: ErrorOut},
    summary="Resolve a flag (supervisor): false_positive, confirmed, exemption or noted, with the reason",
)
def resolve_flag(request: AuthedRequest, flag_id: UUID, payload: ResolveIn) -> Any:
    return services.resolve_flag(flag_id, by=request.user, resolution=payload.resolution, reason=payload.reason)


screening_clear = _case_move(
    "screening_clear",
    services.screening_clear,
    "Clear screening: the case goes to assessment and to the agencies routed",
)


# --- consultation -------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/advice", response=list[AdviceOut], summary="Advice requested and given")
def list_advice(request: AuthedRequest, case_id: UUID) -> Any:
    require(request.user, Permission.CASE_VIEW)
    return list(_case(request, case_id).advice.select_related("agency"))


@router.post(
    "/cases/{case_id}/advice",
    response={200: AdviceOut, 403: ErrorOut, 422: ErrorOut},
    summary="Give your agency's advice",
)
def give_advice(request: AuthedRequest, case_id: UUID, payload: AdviceIn) -> Any:
    return services.give_advice(
        case_id, by=request.user, outcome=payload.outcome, reasons=payload.reasons, conditions=payload.conditions
    )


@router.post(
    "/cases/{case_id}/consult",
    response={201: AdviceOut, 403: ErrorOut, 422: ErrorOut},
    summary="Consult one more agency",
)
def consult(request: AuthedRequest, case_id: UUID, payload: AgencyIn) -> Any:
    return Status(201, services.request_advice(case_id, by=request.user, agency_id=payload.agency))


# --- decision -----------------------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/decisions", response=list[DecisionOut], summary="Proposed decisions and countersignatures"
)
def list_decisions(request: AuthedRequest, case_id: UUID) -> Any:
    require(request.user, Permission.CASE_VIEW)
    return list(_case(request, case_id).decisions.select_related("proposed_by", "countersigned_by"))


@router.post(
    "/cases/{case_id}/decision",
    response={201: DecisionOut, 403: ErrorOut, 422: ErrorOut},
    summary="Propose a decision (approve or refuse, with the criteria relied on as refusal codes)",
)
def propose(request: AuthedRequest, case_id: UUID, payload: ProposeIn) -> Any:
    decision = services.propose_decision(
        case_id,
        by=request.user,
        outcome=payload.outcome,
        criteria=payload.criteria,
        reasons=payload.reasons,
        conditions=payload.conditions,
    )
    return Status(201, decision)


countersign = _case_move(
    "countersign",
    services.countersign,
    "Countersign (agree) or return (disagree, with the reason) the proposed decision",
    CountersignIn,
)
issue = _case_move("issue", services.issue_licence, "Issue the sealed licence of an approved case", IssueIn)
suspend = _case_move("suspend", services.suspend, "Suspend", ReasonIn)
reinstate = _case_move("reinstate", services.reinstate, "Reinstate", ReasonIn)
revoke = _case_move("revoke", services.revoke, "Revoke", ReasonIn)


# --- customs ------------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/shipments", response=list[ShipmentOut], summary="Shipments recorded against a licence")
def list_shipments(request: AuthedRequest, case_id: UUID) -> Any:
    require(request.user, Permission.CASE_VIEW)
    return list(_case(request, case_id).shipments.all())


@router.post(
    "/cases/{case_id}/shipments",
    response={201: ShipmentOut, 403: ErrorOut, 422: ErrorOut},
    summary="Record a shipment (customs): quantities drawn down atomically; an over-shipment is refused",
)
def record_shipment(request: AuthedRequest, case_id: UUID, payload: ShipmentIn) -> Any:
    shipment = services.record_shipment(
        case_id,
        by=request.user,
        declaration_number=payload.declaration_number,
        shipment_date=payload.shipment_date,
        lines=[line.dict() for line in payload.lines],
        notes=payload.notes,
    )
    return Status(201, shipment)


# --- denial notices and routing -----------------------------------------------------------------------------


@router.get("/denial-notices", response=list[DenialNoticeOut], summary="Denial notices shared on the hub")
def denial_notices(request: AuthedRequest) -> Any:
    require(request.user, Permission.CASE_VIEW)
    return services.hub_denial_notices()


@router.post(
    "/cases/{case_id}/denial-notice",
    response={201: DenialNoticeOut, 403: ErrorOut, 422: ErrorOut},
    summary="Share a refusal with the other authorities as a denial notice",
)
def share_denial(request: AuthedRequest, case_id: UUID) -> Any:
    notice = services.share_denial_notice(case_id, by=request.user)
    return Status(
        201,
        {
            "number": notice.number,
            "authority": notice.authority.code,
            "end_user_name": notice.end_user_name,
            "end_user_country": notice.end_user_country,
            "destination_country": notice.destination_country,
            "categories": notice.categories,
            "criteria": notice.criteria,
            "goods_summary": notice.goods_summary,
            "issued_at": notice.issued_at,
        },
    )


@router.get("/routing-rules", response=list[RoutingRuleOut], summary="Which agencies are consulted on which cases")
def routing_rules(request: AuthedRequest) -> Any:
    require(request.user, Permission.CASE_VIEW)
    return list(RoutingRule.objects.for_user(request.user).select_related("agency"))


@router.post("/routing-rules", response={201: RoutingRuleOut, 403: ErrorOut, 422: ErrorOut}, summary="Add a rule")
def add_routing_rule(request: AuthedRequest, payload: RoutingRuleIn) -> Any:
    rule = services.save_routing_rule(
        by=request.user,
        agency_id=payload.agency,
        kind=payload.kind,
        category=payload.category,
        destination=payload.destination,
        note=payload.note,
    )
    return Status(201, rule)


@router.delete("/routing-rules/{rule_id}", response={204: None}, summary="Remove a routing rule")
def delete_routing_rule(request: AuthedRequest, rule_id: UUID) -> Any:
    services.delete_routing_rule(rule_id, by=request.user)
    return Status(204, None)


# --- verification -------------------------------------------------------------------------------------------


@router.post(
    "/licence/verify",
    response={200: dict[str, Any], 422: ErrorOut},
    openapi_extra=apidocs.VERIFY_REQUEST,
    summary="Verify a licence: its seal text (JSON {\"text\"}) or the PDF / a photo (multipart 'file')",
)
def verify_licence(request: HttpRequest) -> Any:
    from attkit.licensing import verifying

    require(request.user, Permission.LICENCE_VERIFY)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Upload the licence as a PDF, PNG or JPEG in the field 'file'.")})
        result = verifying.verify_bytes(upload.read(MAX_FILE + 1), user=request.user)
    else:
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ValidationError({"text": _("Send a JSON object with the seal text in 'text'.")}) from None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ValidationError({"text": _("Give the seal text.")})
        result = verifying.verify_text(text, user=request.user)
    return verifying.as_dict(result)
