"""Use cases of end-user certificates: draft, issue, revoke, amend, record a use, record delivery, expire.

Each function checks the permission, owns its transaction and writes its audit event. Cross-authority
access (an exporting state's officer recording a use of another state's certificate) happens only in
`record_use` and `locate_by_seal`, which find the certificate through its seal, never by browsing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attkit.core import audit
from attkit.core.models import Authority
from attkit.core.permissions import Permission, has_permission, require
from attkit.euc import lifecycle, model_v1, payload, screening_link, serials
from attkit.euc.model_v1 import PartyRole, Section
from attkit.euc.models import (
    DeliveryLine,
    DeliveryVerification,
    EndUserCertificate,
    EucGoodsLine,
    EucParty,
    EucStatus,
    EucUse,
    EucUseLine,
    SerialCounter,
    used_quantities,
)

if TYPE_CHECKING:
    from attkit.accounts.models import User


class EucAuditKind(StrEnum):
    DRAFT = "euc:draft"
    UPDATE = "euc:update"
    ISSUE = "euc:issue"
    REVOKE = "euc:revoke"
    AMEND = "euc:amend"
    SUPERSEDE = "euc:supersede"
    USE = "euc:use"
    DELIVER = "euc:deliver"
    EXPIRE = "euc:expire"


DEFAULT_CERTIFICATION_TEXT = (
    "The Government certifies that the end user named in this certificate is authentic, and that this "
    "certificate was issued by the competent national authority."
)


def _transition_message(error: lifecycle.TransitionError) -> str:
    """The lifecycle's English message, in the user's language."""
    messages = {
        "not_allowed": _("This action is not possible while the certificate is %(status)s."),
        "not_issuer": _("Only an end-user certificate issuer of the importing authority may issue."),
        "four_eyes": _("You drafted this certificate: another issuer must issue it (four eyes)."),
        "empty": _("Enter a quantity for at least one goods line."),
        "unknown_line": _("The goods line %(line)s is not on this certificate."),
        "negative": _("Quantities cannot be negative."),
        "exceeded": _("Goods line %(line)s: %(qty)s asked, only %(left)s left on the certificate."),
    }
    params = dict(error.params)
    if "status" in params:
        params["status"] = str(dict(EucStatus.choices).get(str(params["status"]), params["status"])).lower()
    template = messages.get(error.code)
    return template % params if template else str(error)


def _fail(error: lifecycle.TransitionError, field: str | None = None) -> ValidationError:
    if error.code in ("not_issuer", "four_eyes"):
        raise PermissionDenied(_transition_message(error))
    message = _transition_message(error)
    return ValidationError({field: message} if field else message)


def _today() -> dt.date:
    return timezone.localdate()


def _end_of_day(day: dt.date) -> dt.datetime:
    """The last second of a day in the deployment's time zone, as an aware datetime."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)


def _lock_own(euc_id: Any, by: User) -> EndUserCertificate:
    return EndUserCertificate.objects.for_user(by).select_for_update().get(pk=euc_id)


def _require_draft(euc: EndUserCertificate) -> None:
    if euc.status != EucStatus.DRAFT:
        raise ValidationError(_("Only a draft can be changed. Amend an issued certificate instead."))


# --- the request: model v1 data to and from the database ------------------------------------------------------


def request_of(euc: EndUserCertificate) -> dict[str, Any]:
    """The certificate as a model v1 request (the shape of examples/euc-request.json)."""
    return {
        "model": model_v1.MODEL_ID,
        "certificate": {
            "expiry_date": euc.expiry_date.isoformat() if euc.expiry_date else None,
            "official_name": euc.official_name,
            "official_title": euc.official_title,
            "certification_text": euc.certification_text,
            "contract_number": euc.contract_number,
            "contract_date": euc.contract_date.isoformat() if euc.contract_date else None,
            "final_destination_country": euc.final_destination_country,
        },
        "parties": [
            {
                "role": p.role,
                "name": p.name,
                "business_name": p.business_name,
                "position": p.position,
                "address": p.address,
                "country": p.country,
            }
            for p in euc.parties.all()
        ],
        "goods": [
            {
                "description": g.description,
                "model": g.model,
                "calibre": g.calibre,
                "un_category": g.un_category,
                "salw_line": g.salw_line,
                "national_category": g.national_category,
                "hs_code": g.hs_code,
                "quantity": g.quantity,
                "unit": g.unit,
                "value": format(g.value, "f") if g.value is not None else None,
                "currency": g.currency,
            }
            for g in euc.goods.all()
        ],
        "end_use": {
            "description": euc.end_use,
            "undertakings": {
                "no_other_use": euc.no_other_use,
                "no_reexport_without_consent": euc.no_reexport_without_consent,
                "no_wmd": euc.no_wmd,
                "delivery_verification": euc.delivery_verification,
                "post_shipment_verification": euc.post_shipment_verification,
            },
        },
    }


def check_draft(euc: EndUserCertificate, *, today: dt.date | None = None) -> model_v1.Result:
    """Model v1 validation of the whole certificate as it stands."""
    return model_v1.validate(request_of(euc), today=today or _today())


SectionState = str  # "not_started" | "in_progress" | "completed"


def section_states(euc: EndUserCertificate, result: model_v1.Result | None = None) -> dict[Section, SectionState]:
    """Task-list status of each section of a draft."""
    result = result or check_draft(euc)
    started = {
        Section.DETAILS: bool(euc.expiry_date or euc.official_name or euc.contract_number),
        Section.PARTIES: euc.parties.exists(),
        Section.GOODS: euc.goods.exists(),
        Section.END_USE: bool(euc.end_use or euc.no_other_use or euc.no_reexport_without_consent or euc.no_wmd),
    }
    states: dict[Section, SectionState] = {}
    for section in Section:
        if not started[section]:
            states[section] = "not_started"
        elif result.section_errors(section):
            states[section] = "in_progress"
        else:
            states[section] = "completed"
    return states


def _apply_details(euc: EndUserCertificate, details: Mapping[str, Any]) -> None:
    euc.expiry_date = details.get("expiry_date")
    euc.official_name = details.get("official_name") or ""
    euc.official_title = details.get("official_title") or ""
    euc.certification_text = details.get("certification_text") or ""
    euc.contract_number = details.get("contract_number") or ""
    euc.contract_date = details.get("contract_date")
    euc.final_destination_country = details.get("final_destination_country") or ""


def _apply_end_use(euc: EndUserCertificate, end_use: Mapping[str, Any]) -> None:
    euc.end_use = end_use.get("description") or ""
    for name in (
        "no_other_use",
        "no_reexport_without_consent",
        "no_wmd",
        "delivery_verification",
        "post_shipment_verification",
    ):
        setattr(euc, name, bool(end_use.get(name)))


def _party_row(euc: EndUserCertificate, data: Mapping[str, Any], position_no: int) -> EucParty:
    return EucParty(
        authority_id=euc.authority_id,
        certificate=euc,
        position_no=position_no,
        role=data.get("role") or "",
        name=data.get("name") or "",
        business_name=data.get("business_name") or "",
        position=data.get("position") or "",
        address=data.get("address") or "",
        country=data.get("country") or "",
    )


def _goods_row(euc: EndUserCertificate, data: Mapping[str, Any], line_no: int) -> EucGoodsLine:
    value = data.get("value")
    return EucGoodsLine(
        authority_id=euc.authority_id,
        certificate=euc,
        line_no=line_no,
        description=data.get("description") or "",
        model=data.get("model") or "",
        calibre=data.get("calibre") or "",
        un_category=data.get("un_category") or "",
        salw_line=data.get("salw_line") or "",
        national_category=data.get("national_category") or "",
        hs_code=data.get("hs_code") or "",
        quantity=int(data.get("quantity") or 0),
        unit=data.get("unit") or "",
        value=Decimal(value) if value is not None else None,
        currency=data.get("currency") or "",
    )


_ROLE_ORDER = {role: i for i, role in enumerate(PartyRole)}


def _renumber_parties(euc: EndUserCertificate) -> None:
    parties = sorted(euc.parties.all(), key=lambda p: (_ROLE_ORDER.get(PartyRole(p.role), 9), p.position_no))
    for i, party in enumerate(parties, start=1):
        if party.position_no != i:
            party.position_no = i
            party.save(update_fields=["position_no"])


def _field_errors(errors: model_v1.Errors, prefix: str) -> dict[str, list[str]]:
    """Errors of one group, keyed by the element name (for a form), from keys like 'goods.0.quantity'."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key == prefix.rstrip("."):
            out.setdefault("__all__", []).extend(messages)
        elif key.startswith(prefix):
            out.setdefault(key[len(prefix) :].split(".")[-1], []).extend(messages)
    return out


def start_draft(*, by: User) -> EndUserCertificate:
    """A new, empty draft of the user's authority."""
    require(by, Permission.EUC_DRAFT)
    if by.authority is None:
        raise PermissionDenied(_("You must belong to an authority to draft a certificate."))
    with transaction.atomic():
        euc = EndUserCertificate.objects.create(
            authority=by.authority,
            drafted_by=by,
            certification_text=_(DEFAULT_CERTIFICATION_TEXT),
            delivery_verification=True,
        )
        audit.record(by, EucAuditKind.DRAFT, euc, {"via": "pages"})
    return euc


def draft_from_request(*, by: User, request: Mapping[str, Any], drafted_via: str = "") -> EndUserCertificate:
    """A complete draft from a model v1 request (JSON); every fault is reported at once, per field."""
    require(by, Permission.EUC_DRAFT)
    if by.authority is None:
        raise PermissionDenied(_("You must belong to an authority to draft a certificate."))
    result = model_v1.validate(request, today=_today())
    if not result.ok:
        raise ValidationError(result.errors)
    data = result.cleaned
    with transaction.atomic():
        euc = EndUserCertificate(
            authority=by.authority, drafted_by=None if drafted_via else by, drafted_via=drafted_via
        )
        _apply_details(euc, data["certificate"])
        _apply_end_use(euc, data["end_use"])
        euc.save()
        EucParty.objects.bulk_create([_party_row(euc, p, i) for i, p in enumerate(data["parties"], start=1)])
        _renumber_parties(euc)
        EucGoodsLine.objects.bulk_create([_goods_row(euc, g, i) for i, g in enumerate(data["goods"], start=1)])
        audit.record(by, EucAuditKind.DRAFT, euc, {"via": drafted_via or "api"})
    return euc


def save_details(euc_id: Any, *, by: User, data: Mapping[str, Any]) -> EndUserCertificate:
    """Save the 'certificate details' section of a draft (refused with per-field errors)."""
    require(by, Permission.EUC_DRAFT)
    errors: model_v1.Errors = {}
    cleaned = model_v1.validate_details(data, errors, today=_today())
    if errors:
        raise ValidationError(_field_errors(errors, "certificate."))
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        _require_draft(euc)
        _apply_details(euc, cleaned)
        euc.save()
        audit.record(by, EucAuditKind.UPDATE, euc, {"section": Section.DETAILS.value})
    return euc


def save_end_use(euc_id: Any, *, by: User, data: Mapping[str, Any]) -> EndUserCertificate:
    """Save the 'end use and undertakings' section of a draft."""
    require(by, Permission.EUC_DRAFT)
    errors: model_v1.Errors = {}
    undertakings = {k: v for k, v in data.items() if k != "description"}
    cleaned = model_v1.validate_end_use({"description": data.get("description"), "undertakings": undertakings}, errors)
    if errors:
        raise ValidationError(_field_errors(errors, "end_use."))
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        _require_draft(euc)
        _apply_end_use(euc, cleaned)
        euc.save()
        audit.record(by, EucAuditKind.UPDATE, euc, {"section": Section.END_USE.value})
    return euc


def add_party(euc_id: Any, *, by: User, data: Mapping[str, Any]) -> EucParty:
    """Add a party to a draft; a second exporter, end user or consignee is refused."""
    require(by, Permission.EUC_DRAFT)
    errors: model_v1.Errors = {}
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        _require_draft(euc)
        existing = list(euc.parties.values("role", "name", "position", "address", "country"))
        cleaned = model_v1.validate_parties([*existing, dict(data)], errors)
        index = len(existing)
        own = _field_errors(errors, f"parties.{index}.")
        role = str(data.get("role") or "")
        limited = PartyRole(role) if role in model_v1.PARTY_ROLES else None
        if limited in model_v1.PARTY_TOO_MANY and any(p["role"] == role for p in existing):
            own.setdefault("role", []).append(str(model_v1.PARTY_TOO_MANY[limited]))
        if own:
            raise ValidationError(own)
        party = _party_row(euc, cleaned[index], index + 1)
        party.save()
        _renumber_parties(euc)
        audit.record(by, EucAuditKind.UPDATE, euc, {"section": Section.PARTIES.value, "added": role})
        screening_link.screen_after_commit(party)
    return party


def remove_party(euc_id: Any, party_id: Any, *, by: User) -> None:
    require(by, Permission.EUC_DRAFT)
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        _require_draft(euc)
        party = euc.parties.get(pk=party_id)
        role = party.role
        party.delete()
        _renumber_parties(euc)
        audit.record(by, EucAuditKind.UPDATE, euc, {"section": Section.PARTIES.value, "removed": role})


def add_goods_line(euc_id: Any, *, by: User, data: Mapping[str, Any]) -> EucGoodsLine:
    require(by, Permission.EUC_DRAFT)
    errors: model_v1.Errors = {}
    cleaned = model_v1.validate_goods([dict(data)], errors)
    if errors:
        raise ValidationError(_field_errors(errors, "goods.0."))
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        _require_draft(euc)
        count = euc.goods.count()
        if count >= model_v1.MAX_GOODS_LINES:
            raise ValidationError(_("A certificate has at most %(n)s goods lines") % {"n": model_v1.MAX_GOODS_LINES})
        line = _goods_row(euc, cleaned[0], count + 1)
        line.save()
        audit.record(by, EucAuditKind.UPDATE, euc, {"section": Section.GOODS.value, "added": line.line_no})
    return line


def remove_goods_line(euc_id: Any, line_id: Any, *, by: User) -> None:
    require(by, Permission.EUC_DRAFT)
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        _require_draft(euc)
        euc.goods.get(pk=line_id).delete()
        for i, line in enumerate(euc.goods.order_by("line_no"), start=1):
            if line.line_no != i:
                line.line_no = i
                line.save(update_fields=["line_no"])
        audit.record(by, EucAuditKind.UPDATE, euc, {"section": Section.GOODS.value, "removed": str(line_id)})


# --- serials -------------------------------------------------------------------------------------------------


def allocate_serial(authority: Authority, kind: str, year: int) -> str:
    """The next serial of the authority, kind and year; call it inside the transaction that uses it.

    The counter row is locked (select_for_update), so concurrent issues wait for each other and a number is
    consumed only if the transaction that took it commits: no gap, no duplicate.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_serial must run inside the issuing transaction")
    counters = SerialCounter.objects.select_for_update()
    counter = counters.filter(authority=authority, kind=kind, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                SerialCounter.objects.create(authority=authority, kind=kind, year=year, last=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs below
        counter = counters.get(authority=authority, kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return serials.format_serial(authority.code, year, counter.last, kind)


# --- issue ---------------------------------------------------------------------------------------------------


def full_document(euc: EndUserCertificate) -> dict[str, Any]:
    """Every element of the issued certificate: what the document hash in the seal binds."""
    request = request_of(euc)
    return {
        "model": model_v1.MODEL_ID,
        "serial": euc.serial,
        "authority": euc.authority.code,
        "issue_date": euc.issue_date,
        "supersedes": euc.supersedes.serial if euc.supersedes_id and euc.supersedes else "",
        "certificate": request["certificate"],
        "parties": request["parties"],
        "goods": [{"line": i, **g} for i, g in enumerate(request["goods"], start=1)],
        "end_use": request["end_use"],
    }


def euc_seal_payload(euc: EndUserCertificate) -> dict[str, Any]:
    end_user = euc.end_user
    assert euc.serial
    assert euc.issue_date
    assert euc.expiry_date
    return payload.euc_payload(
        serial=euc.serial,
        authority=euc.authority.code,
        issue_date=euc.issue_date,
        expiry_date=euc.expiry_date,
        end_user_country=end_user.country if end_user else euc.final_destination_country,
        end_user_name=end_user.name if end_user else "",
        goods=[(g.category_code, g.hs_code, g.quantity, g.unit) for g in euc.goods.all()],
        doc_hash=euc.document_hash,
        supersedes=euc.supersedes.serial or "" if euc.supersedes_id and euc.supersedes else "",
    )


def _actor(user: User) -> lifecycle.Actor:
    authority = user.authority.code if user.authority else None
    return lifecycle.Actor(user.pk, authority, has_permission(user, Permission.EUC_ISSUE))


def issue(euc_id: Any, *, by: User) -> EndUserCertificate:
    """Issue a complete draft: serial, dates, document hash and seal, in one transaction.

    Four eyes: the person who drafted it cannot issue it. An amendment supersedes the certificate it replaces.
    """
    require(by, Permission.EUC_ISSUE)
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        try:
            lifecycle.next_status(euc.status, lifecycle.Event.ISSUE)
            lifecycle.check_issue(
                certificate_authority=euc.authority.code, drafted_by=euc.drafted_by_id, actor=_actor(by)
            )
        except lifecycle.TransitionError as exc:
            raise _fail(exc) from exc
        today = _today()
        result = check_draft(euc, today=today)
        if not result.ok:
            raise ValidationError(result.errors)
        assert euc.expiry_date is not None
        euc.serial = allocate_serial(euc.authority, "EUC", today.year)
        euc.issue_date = today
        euc.issued_by = by
        euc.issued_at = timezone.now()
        euc.document_hash = payload.document_hash(full_document(euc))
        from attkit.seals import services as seals

        euc.seal_text = seals.seal(
            euc.authority,
            payload.EUC_PREFIX,
            euc_seal_payload(euc),
            expires_at=_end_of_day(euc.expiry_date),
            issued_at=euc.issued_at,
            serial=euc.serial,
        )
        euc.status = lifecycle.next_status(euc.status, lifecycle.Event.ISSUE).value
        euc.save()
        superseded = None
        if euc.supersedes_id:
            superseded = _supersede(euc, by=by)
        audit.record(
            by,
            EucAuditKind.ISSUE,
            euc,
            {
                "serial": euc.serial,
                "expiry_date": euc.expiry_date,
                "document_hash": euc.document_hash,
                "supersedes": superseded.serial if superseded else None,
            },
        )
        for party in euc.parties.all():  # screened again as issued (a draft's parties may predate a list change)
            screening_link.screen_after_commit(party)
    return euc


def _supersede(new: EndUserCertificate, *, by: User) -> EndUserCertificate:
    old = EndUserCertificate.objects.select_for_update().get(pk=new.supersedes_id, authority_id=new.authority_id)
    try:
        old.status = lifecycle.next_status(old.status, lifecycle.Event.SUPERSEDE).value
    except lifecycle.TransitionError as exc:
        raise _fail(exc) from exc
    old.save(update_fields=["status", "updated_at"])
    audit.record(by, EucAuditKind.SUPERSEDE, old, {"superseded_by": new.serial, "reason": new.amendment_reason})
    return old


# --- revoke and amend ----------------------------------------------------------------------------------------


def revoke(euc_id: Any, *, by: User | None, reason: str, authority: Authority | None = None) -> EndUserCertificate:
    """Revoke an issued certificate: its seal verifies as revoked from now on, online and in the revocation list.

    by=None is the operator at the command line (then `authority` may narrow the search; else by serial).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked; the record must show it.")})
    if by is not None:
        require(by, Permission.EUC_REVOKE)
    with transaction.atomic():
        if by is not None:
            euc = _lock_own(euc_id, by)
        else:
            qs = EndUserCertificate.objects.for_authority(authority) if authority else EndUserCertificate.objects.all()
            euc = qs.select_for_update().get(pk=euc_id)
        try:
            euc.status = lifecycle.next_status(euc.status, lifecycle.Event.REVOKE).value
        except lifecycle.TransitionError as exc:
            raise _fail(exc) from exc
        euc.revoked_at = timezone.now()
        euc.revoked_by = by
        euc.revocation_reason = reason[:2000]
        euc.save()
        from attkit.seals import services as seals

        assert euc.serial
        seals.revoke_serial(euc.authority, euc.serial, reason, by=by)
        audit.record(
            by, EucAuditKind.REVOKE, euc, {"serial": euc.serial, "reason": reason}, actor_label=None if by else "cli"
        )
    return euc


def start_amendment(euc_id: Any, *, by: User, reason: str) -> EndUserCertificate:
    """A new draft that copies the certificate (quantities: what is left); issued, it supersedes the old one."""
    require(by, Permission.EUC_DRAFT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is amended; the record must show it.")})
    with transaction.atomic():
        old = _lock_own(euc_id, by)
        if old.effective_status() not in lifecycle.AMENDABLE:
            raise ValidationError(_("Only a certificate in force can be amended."))
        pending = old.amendments.filter(status=EucStatus.DRAFT).first()
        if pending is not None:
            raise ValidationError(
                _("An amendment of this certificate is already being drafted: %(ref)s.") % {"ref": pending.reference}
            )
        new = EndUserCertificate(authority_id=old.authority_id, drafted_by=by, supersedes=old, amendment_reason=reason)
        for name in (
            "expiry_date",
            "official_name",
            "official_title",
            "certification_text",
            "end_use",
            "no_other_use",
            "no_reexport_without_consent",
            "no_wmd",
            "delivery_verification",
            "post_shipment_verification",
            "contract_number",
            "contract_date",
            "final_destination_country",
        ):
            setattr(new, name, getattr(old, name))
        new.save()
        for party in old.parties.all():
            party.pk = None
            party.id = uuid.uuid4()
            party._state.adding = True
            party.certificate = new
            party.save()
        used = used_quantities(old)
        line_no = 0
        for line in old.goods.all():
            left = line.quantity - used.get(line.line_no, 0)
            if left <= 0:
                continue
            line_no += 1
            line.pk = None
            line.id = uuid.uuid4()
            line._state.adding = True
            line.certificate = new
            line.line_no = line_no
            line.quantity = left
            line.save()
        audit.record(by, EucAuditKind.AMEND, new, {"amends": old.serial, "reason": reason})
    return new


# --- drawdown by the exporting state -------------------------------------------------------------------------


class UseFlag(StrEnum):
    SECOND_STATE = "second_exporting_state"
    OTHER_EXPORTER = "other_exporter"


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _line_map(euc: EndUserCertificate, quantities: Mapping[Any, int]) -> dict[int, int]:
    """Quantities keyed by line number, from keys that are goods line ids (UUID or text) or line numbers."""
    lines = list(euc.goods.all())
    by_id = {str(line.pk): line.line_no for line in lines}
    by_no = {line.line_no for line in lines}
    out: dict[int, int] = {}
    for key, qty in quantities.items():
        if isinstance(key, int) and not isinstance(key, bool) and key in by_no:
            number = key
        elif str(key) in by_id:
            number = by_id[str(key)]
        else:
            raise ValidationError(
                {"quantities": _("The goods line %(line)s is not on this certificate.") % {"line": key}}
            )
        try:
            value = int(qty)
        except (TypeError, ValueError):
            raise ValidationError({"quantities": _("Enter the quantity as a whole number greater than zero")}) from None
        if value:
            out[number] = out.get(number, 0) + value
    return out


def record_use(
    euc: EndUserCertificate,
    *,
    exporting_state: str,
    exporter: str,
    licence_reference: str,
    quantities: Mapping[Any, int],
    by: User,
) -> EucUse:
    """An exporting state relies on the certificate: draw the quantities down, atomically, or refuse.

    The certificate row is locked, so two concurrent drawdowns are serialised and never exceed it. The same
    certificate presented by a second exporting state or another exporter is recorded and flagged.
    """
    require(by, Permission.EUC_DRAWDOWN)
    exporting_state = (exporting_state or "").strip().upper()
    errors: dict[str, str] = {}
    if model_v1._country(exporting_state) is None:
        errors["exporting_state"] = _("Enter the exporting state as a two-letter ISO code, for example DE")
    if not (exporter or "").strip():
        errors["exporter"] = _("Enter the name of the exporter")
    if not (licence_reference or "").strip():
        errors["licence_reference"] = _("Enter the reference of the export licence")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Cross-authority by design: the caller found the certificate through its seal (locate_by_seal).
        locked = EndUserCertificate.objects.select_for_update().get(pk=euc.pk)
        if by.authority_id == locked.authority_id:
            raise PermissionDenied(_("A use is recorded by the exporting state, not by the issuing authority."))
        status = locked.effective_status()
        if status not in lifecycle.IN_FORCE:
            raise ValidationError(
                _("This certificate is %(status)s: it cannot be used.")
                % {"status": str(dict(EucStatus.choices).get(status.value, status.value)).lower()}
            )
        drawing = _line_map(locked, quantities)
        ordered = {line.line_no: line.quantity for line in locked.goods.all()}
        used = used_quantities(locked)
        try:
            event = lifecycle.use_event(ordered, used, drawing)
            locked.status = lifecycle.next_status(locked.status, event).value
        except lifecycle.TransitionError as exc:
            raise _fail(exc, "quantities") from exc
        flags = []
        for earlier in locked.uses.all():
            if earlier.exporting_state != exporting_state:
                flags.append({"flag": UseFlag.SECOND_STATE.value, "earlier": earlier.exporting_state})
            if not _same_name(earlier.exporter, exporter):
                flags.append({"flag": UseFlag.OTHER_EXPORTER.value, "earlier": earlier.exporter})
        flags = [dict(t) for t in {tuple(sorted(f.items())) for f in flags}]
        if by.authority is None:
            raise PermissionDenied(_("You must belong to an authority to record a use."))
        use = EucUse.objects.create(
            authority=by.authority,
            certificate=locked,
            serial=locked.serial or "",
            exporting_state=exporting_state,
            exporter=exporter.strip()[:300],
            licence_reference=licence_reference.strip()[:100],
            recorded_by=by,
            recorded_by_label=by.get_username(),
            flagged=bool(flags),
            flags=sorted(flags, key=lambda f: (f["flag"], f["earlier"])),
        )
        lines = {line.line_no: line for line in locked.goods.all()}
        EucUseLine.objects.bulk_create(
            [
                EucUseLine(authority=by.authority, use=use, line=lines[no], quantity=qty)
                for no, qty in sorted(drawing.items())
            ]
        )
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            by,
            EucAuditKind.USE,
            locked,
            {
                "use": str(use.pk),
                "exporting_authority": by.authority.code,
                "exporting_state": exporting_state,
                "exporter": use.exporter,
                "licence_reference": use.licence_reference,
                "quantities": {str(k): v for k, v in sorted(drawing.items())},
                "status": locked.status,
                "flags": use.flags,
            },
            authority=locked.authority,
        )
    euc.status = locked.status
    return use


def uses_recorded_by(user: User) -> Any:
    """The uses an exporting state's officers recorded: their own records of other states' certificates."""
    return EucUse.objects.for_user(user)


# --- delivery verification -----------------------------------------------------------------------------------


def full_dvc_document(dvc: DeliveryVerification) -> dict[str, Any]:
    return {
        "model": "attkit-dvc/1",
        "serial": dvc.serial,
        "certificate": dvc.certificate.serial,
        "certificate_hash": dvc.certificate.document_hash,
        "authority": dvc.certificate.authority.code,
        "delivery_date": dvc.delivery_date,
        "checked_by": dvc.checked_by,
        "discrepancies": dvc.discrepancies,
        "received": [{"line": row.line.line_no, "quantity": row.quantity_received} for row in dvc.lines.all()],
    }


def record_delivery(
    euc_id: Any,
    *,
    by: User,
    delivery_date: dt.date,
    checked_by: str,
    quantities: Mapping[Any, int],
    discrepancies: str = "",
) -> DeliveryVerification:
    """The importing authority verified the delivery: a sealed DVC is issued and the certificate closes."""
    require(by, Permission.EUC_DELIVERY)
    errors: dict[str, str] = {}
    today = _today()
    if not isinstance(delivery_date, dt.date):
        errors["delivery_date"] = _("Enter the date of delivery as YYYY-MM-DD")
    elif delivery_date > today:
        errors["delivery_date"] = _("The date of delivery cannot be in the future")
    if not (checked_by or "").strip():
        errors["checked_by"] = _("Enter the name and title of the official who checked the delivery")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        euc = _lock_own(euc_id, by)
        try:
            new_status = lifecycle.next_status(euc.status, lifecycle.Event.DELIVER)
        except lifecycle.TransitionError as exc:
            raise _fail(exc) from exc
        if euc.issue_date and delivery_date < euc.issue_date:
            raise ValidationError({"delivery_date": _("The date of delivery cannot be before the date of issue")})
        received = dict(_line_map(euc, quantities).items())
        used = used_quantities(euc)
        lines = list(euc.goods.all())
        expected = {line.line_no: used.get(line.line_no, 0) if used else line.quantity for line in lines}
        differs = any(received.get(no, 0) != qty for no, qty in expected.items())
        if differs and not (discrepancies or "").strip():
            raise ValidationError(
                {
                    "discrepancies": _(
                        "The quantities received differ from those shipped under the certificate: describe the "
                        "discrepancies"
                    )
                }
            )
        assert euc.serial
        dvc = DeliveryVerification(
            authority_id=euc.authority_id,
            certificate=euc,
            serial=allocate_serial(euc.authority, "DVC", today.year),
            delivery_date=delivery_date,
            checked_by=checked_by.strip()[:300],
            discrepancies=(discrepancies or "").strip(),
            recorded_by=by,
            issued_at=timezone.now(),
        )
        dvc.save()
        DeliveryLine.objects.bulk_create(
            [
                DeliveryLine(
                    authority_id=euc.authority_id,
                    delivery=dvc,
                    line=line,
                    quantity_received=received.get(line.line_no, 0),
                )
                for line in lines
            ]
        )
        dvc.document_hash = payload.document_hash(full_dvc_document(dvc))
        from attkit.seals import services as seals

        dvc.seal_text = seals.seal(
            euc.authority,
            payload.DVC_PREFIX,
            payload.dvc_payload(
                serial=dvc.serial,
                euc_serial=euc.serial,
                authority=euc.authority.code,
                delivery_date=delivery_date,
                received=[(line.line_no, received.get(line.line_no, 0)) for line in lines],
                discrepancies=bool(dvc.discrepancies),
                doc_hash=dvc.document_hash,
            ),
            expires_at=None,
            issued_at=dvc.issued_at,
            serial=dvc.serial,
        )
        dvc.save(update_fields=["document_hash", "seal_text"])
        euc.status = new_status.value
        euc.closed_at = dvc.issued_at
        euc.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(
            by,
            EucAuditKind.DELIVER,
            euc,
            {
                "serial": euc.serial,
                "dvc": dvc.serial,
                "delivery_date": delivery_date,
                "received": {str(k): v for k, v in sorted(received.items())},
                "discrepancies": bool(dvc.discrepancies),
            },
        )
    return dvc


# --- expiry --------------------------------------------------------------------------------------------------


def expire_overdue(*, today: dt.date | None = None) -> list[str]:
    """Mark certificates in force past their expiry date as expired (the scheduler's sweep); their serials."""
    today = today or _today()
    done: list[str] = []
    candidates = EndUserCertificate.objects.filter(
        status__in=[s.value for s in lifecycle.IN_FORCE], expiry_date__lt=today
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            euc = EndUserCertificate.objects.select_for_update().get(pk=pk)
            if lifecycle.effective_status(euc.status, euc.expiry_date, today) is not lifecycle.Status.EXPIRED:
                continue
            if euc.status == EucStatus.EXPIRED:
                continue
            euc.status = lifecycle.next_status(euc.status, lifecycle.Event.EXPIRE).value
            euc.save(update_fields=["status", "updated_at"])
            audit.record(None, EucAuditKind.EXPIRE, euc, {"serial": euc.serial}, actor_label="system")
            done.append(euc.serial or "")
    return done


# --- finding a certificate -----------------------------------------------------------------------------------


def get_by_serial(serial: str, *, by: User) -> EndUserCertificate:
    """The user's own authority's certificate with this serial (tenancy applies)."""
    return EndUserCertificate.objects.for_user(by).get(serial=serials.normalise(serial))


@dataclass(frozen=True)
class Located:
    """A certificate found through its seal by an official of another state, with the verification."""

    verification: Any  # attkit.seals.verification.Verification
    certificate: EndUserCertificate | None


def locate_by_seal(
    *, by: User, serial: str, seal_text: str = "", file_data: bytes | None = None, filename: str = ""
) -> Located:
    """Verify the seal (its text, or a PDF or photo of the certificate) and return the certificate it seals.

    This is the named cross-authority service: the certificate is returned only when a trusted signer's
    signature verifies and the seal carries the serial the official typed (so a seal cannot be swapped).
    """
    require(by, Permission.EUC_VERIFY)
    from attkit.seals import verification

    prefixes = [payload.EUC_PREFIX]
    if file_data is not None:
        result = verification.verify_file(file_data, filename, user=by, prefixes=prefixes)
    else:
        result = verification.verify_text(seal_text, user=by, prefixes=prefixes)
    if not result.signature_ok or not result.serial or result.serial != serials.normalise(serial):
        return Located(result, None)
    euc = (
        EndUserCertificate.objects.select_related("authority")
        .filter(serial=result.serial, authority__code=result.issuer)
        .first()
    )
    return Located(result, euc)
