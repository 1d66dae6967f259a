"""Adapters to the apps licensing relies on (reference, EUC, seals, reporting), each imported lazily.

Each adapter says plainly what happens when its app is not installed or not ready: the case still
moves, and what could not be done is returned (or logged) so that the page and the report show it.
"""

from __future__ import annotations

import csv
import inspect
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from attkit.licensing import flags
from attkit.licensing.categories import normalise_code

if TYPE_CHECKING:
    from attkit.accounts.models import User
    from attkit.core.models import Authority
    from attkit.licensing.models import Case, GoodsLine, Shipment

logger = logging.getLogger(__name__)

LICENCE_PREFIX = "LIC1:"
EUC_PREFIX = "EUC1:"


class IntegrationMissing(RuntimeError):
    """Another app's service is not (yet) available; the message names it."""


# --- reference: embargoes --------------------------------------------------------------------------------------


def _scope(value: str) -> flags.EmbargoScope:
    try:
        return flags.EmbargoScope(value)
    except ValueError:
        return flags.EmbargoScope.FULL  # an unknown scope is read as the strictest


def embargoes_for(countries: Sequence[str]) -> list[flags.Embargo]:
    """The arms embargoes in force on any of these countries, from the reference app (its data files if the
    app's tables are missing)."""
    wanted = sorted({c.strip().upper() for c in countries if c and c.strip()})
    try:
        from attkit.reference import services as reference
        from attkit.reference.models import Embargo
    except ImportError:
        return _embargoes_from_data_files(wanted)
    if not Embargo.objects.exists():  # the reference sets were never loaded: read their files
        return _embargoes_from_data_files(wanted)
    found: list[flags.Embargo] = []
    for code in wanted:
        for row in reference.embargoes_for(code):
            found.append(
                flags.Embargo(
                    target_iso2=row.target_iso2,
                    scope=_scope(str(row.scope)),
                    reference=row.reference or row.key,
                    imposed_by=str(row.imposed_by),
                )
            )
    return found


def _embargoes_from_data_files(wanted: Sequence[str]) -> list[flags.Embargo]:
    """The bundled UN embargo table of the reference app, read directly (no database)."""
    try:
        text = (resources.files("attkit.reference") / "data" / "unsc_arms_embargoes.csv").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        logger.warning("No embargo data: the reference app and its data files are missing.")
        return []
    found = []
    for row in csv.DictReader(text.splitlines()):
        code = (row.get("target_iso2") or "").strip().upper()
        if code and code in wanted:
            resolution = (row.get("establishing_resolution") or "").split("[")[0].strip()
            found.append(flags.Embargo(code, _scope(row.get("scope") or ""), resolution, "UN"))
    return found


# --- EUC verification ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EucResult:
    """What the EUC verification found, in the terms the flags need, plus a summary to show and store."""

    check: flags.EucCheck | None
    summary: dict[str, Any] = field(default_factory=dict)
    certificate_id: uuid.UUID | None = None
    lines: tuple[tuple[int, str, int], ...] = ()  # (EUC line number, category, quantity still covered)


def _quantity(value: Any) -> int:
    """A sealed quantity as a whole number; anything else (text, lists, huge or negative) covers nothing."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**15:
        return value
    return 0


def _payload_goods(payload: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The goods lines of a sealed EUC payload. The seal verified, but its content is still read defensively."""
    rows = payload.get("g") or payload.get("goods") or []
    goods: list[tuple[str, int]] = []
    for row in rows if isinstance(rows, list | tuple) else []:
        if isinstance(row, list | tuple) and len(row) >= 3:
            goods.append((normalise_code(str(row[0])), _quantity(row[2])))
        elif isinstance(row, Mapping):
            goods.append((normalise_code(str(row.get("category", ""))), _quantity(row.get("quantity"))))
    return goods


def _remaining_by_line(registry: Mapping[str, Any] | None, goods: list[tuple[str, int]]) -> dict[int, int]:
    """Quantities still covered per EUC line: the register's figures when it gave them, else the sealed ones."""
    remaining = {number: qty for number, (_cat, qty) in enumerate(goods, start=1)}
    rows = (registry or {}).get("quantities")
    if isinstance(rows, list):
        for item in rows:
            if isinstance(item, Mapping) and "line" in item:
                try:
                    remaining[int(item["line"])] = int(item.get("left", item.get("remaining", 0)))
                except (TypeError, ValueError):
                    continue
    return remaining


def check_euc(*, authority: Authority, serial: str, seal_text: str = "", file_data: bytes | None = None) -> EucResult:
    """Verify the EUC an application relies on through the seal verification service.

    With a seal (text, or a PDF or photo carrying its QR code) the seal is verified as the case's
    authority would; with a serial alone, only a certificate of the same authority can be found (an
    import); otherwise the verdict is `not_verified`, a blocking flag until the applicant gives the seal.
    """
    serial = serial.strip()
    if not (serial or seal_text.strip() or file_data):
        return EucResult(None)
    try:
        from attkit.seals import verification
    except ImportError:
        return EucResult(
            flags.EucCheck(serial or "-", "not_verified", "", ""),
            {"verdict": "not_verified", "note": "seals app missing"},
        )
    if not seal_text.strip() and not file_data:
        seal_text = _own_certificate_seal(authority, serial)
    if seal_text.strip():
        result = verification.verify_text(seal_text.strip(), authority=authority, prefixes=[EUC_PREFIX])
    elif file_data:
        result = verification.verify_file(file_data, authority=authority, prefixes=[EUC_PREFIX])
    else:
        return EucResult(flags.EucCheck(serial, "not_verified", "", ""), {"verdict": "not_verified", "serial": serial})
    payload = result.certificate or {}
    sealed_serial = str(payload.get("s") or payload.get("serial") or result.serial or "")
    goods = _payload_goods(payload)
    verdict = result.verdict.value
    if verdict == "valid" and serial and sealed_serial and sealed_serial != serial:
        verdict = "other_serial"
    remaining_lines = _remaining_by_line(result.registry, goods)
    lines = tuple((number, goods[number - 1][0], remaining_lines.get(number, 0)) for number in range(1, len(goods) + 1))
    remaining: dict[str, int] = {}
    for _, category, qty in lines:
        remaining[category] = remaining.get(category, 0) + max(qty, 0)
        if category.startswith("VIII-"):  # a line of VIII covers the category as a whole too
            remaining["VIII"] = remaining.get("VIII", 0) + max(qty, 0)
    end_user = str(payload.get("n") or payload.get("end_user") or "")
    country = str(payload.get("c") or payload.get("end_user_country") or "")
    check = flags.EucCheck(sealed_serial or serial or "-", verdict, end_user, country, remaining)
    summary: dict[str, Any] = {
        "verdict": verdict,
        "reasons": [str(r) for r in result.reasons],
        "serial": sealed_serial or serial,
        "issuer": result.issuer,
        "end_user": end_user,
        "end_user_country": country,
        "lines": [{"line": n, "category": c, "remaining": q} for n, c, q in lines],
        "expires_at": result.expires_at.isoformat() if result.expires_at else None,
    }
    certificate_id = None
    if getattr(result, "signature_ok", verdict == "valid") and sealed_serial:
        certificate_id = _certificate_id(sealed_serial)
    return EucResult(check, summary, certificate_id, lines)


def _own_certificate_seal(authority: Authority, serial: str) -> str:
    try:
        from attkit.euc.models import EndUserCertificate
    except ImportError:
        return ""
    row = EndUserCertificate.objects.filter(authority=authority, serial=serial).values_list("seal_text", flat=True)
    return str(row.first() or "")


def _certificate_id(serial: str) -> uuid.UUID | None:
    """The EUC registry's record of a certificate whose seal verified (the drawdown needs it)."""
    try:
        from attkit.euc.models import EndUserCertificate
    except ImportError:
        return None
    found = EndUserCertificate.objects.filter(serial=serial).values_list("pk", flat=True).first()
    return uuid.UUID(str(found)) if found else None


def draw_on_euc(case: Case, shipment: Shipment, drawn: Mapping[GoodsLine, int], *, by: User) -> uuid.UUID | None:
    """An export relying on another state's EUC draws the shipped quantities on it (euc.record_use), in the
    caller's transaction: a refusal there refuses the shipment. None when there is nothing to draw."""
    if case.kind != "export" or case.euc_certificate_id is None:
        return None
    quantities: dict[int, int] = {}
    for line, qty in drawn.items():
        if line.euc_line_no and qty:
            quantities[line.euc_line_no] = quantities.get(line.euc_line_no, 0) + qty
    if not quantities:
        return None
    try:
        from attkit.euc import services as euc_services
        from attkit.euc.models import EndUserCertificate
    except ImportError:
        logger.warning("EUC app missing: shipment %s not drawn on EUC %s", shipment, case.euc_serial)
        return None
    euc = EndUserCertificate.objects.filter(pk=case.euc_certificate_id).first()
    if euc is None or euc.authority_id == case.authority_id:
        return None
    actor = _drawdown_actor(case, by)
    use = euc_services.record_use(
        euc,
        exporting_state=case.authority.country or case.authority.code,
        exporter=case.applicant.name,
        licence_reference=case.reference,
        quantities=quantities,
        by=actor,
    )
    return uuid.UUID(str(use.pk))


def _drawdown_actor(case: Case, by: User) -> User:
    """The customs officer when they may draw on EUCs; else the officer who issued the licence (the EUC app
    asks for euc:drawdown, which customs officers do not hold yet)."""
    from attkit.core.permissions import Permission, has_permission

    if has_permission(by, Permission.EUC_DRAWDOWN) or case.licence_issued_by is None:
        return by
    return case.licence_issued_by


# --- seals ---------------------------------------------------------------------------------------------------


def seal(authority: Authority, payload: dict[str, Any], *, serial: str, expires_at: datetime | None) -> str:
    """Seal text ("LIC1:...") for a licence or refusal letter, signed by the authority's document signer."""
    try:
        from attkit.seals import services as seals
    except ImportError as exc:
        raise IntegrationMissing("the seals app is not installed: licences cannot be sealed") from exc
    return seals.seal(authority, LICENCE_PREFIX, payload, expires_at=expires_at, serial=serial)


def revoke_seal(authority: Authority, serial: str, reason: str, *, by: User) -> None:
    """Publish the licence's serial as revoked, so that offline verifiers learn it from the trust list."""
    try:
        from attkit.seals import services as seals
    except ImportError:
        logger.warning("seals app missing: revocation of %s not published", serial)
        return
    seals.revoke_serial(authority, serial, reason, by=by)


def register_licence_kind() -> None:
    """Register the LIC1: registry handler with the seal verifier (from LicensingConfig.ready)."""
    try:
        from attkit.seals import verification
    except ImportError:
        return
    from attkit.licensing.verification import licence_registry

    verification.register_document_kind(LICENCE_PREFIX, licence_registry, template="licensing/_sealed_licence.html")


def register_screening_hook() -> None:
    """Hits decided on the screening pages are decided on the case too (from LicensingConfig.ready)."""
    try:
        from attkit.screening import services as screening
    except ImportError:
        return
    hook = getattr(screening, "on_hit_decided", None)
    if hook is None:
        return
    from attkit.licensing.services import mirror_screening_decision

    hook(mirror_screening_decision)


# --- reporting (Art. 12 records) -----------------------------------------------------------------------------

_DIRECTIONS = {"trans_shipment": "transshipment"}


def report_category(code: str) -> str:
    """Licensing's category code in reporting's spelling: 'VIII-SA-2' -> 'VIII.SA.2'."""
    return code.replace("-", ".")


def record_transfers(
    case: Case,
    quantities: Mapping[GoodsLine, int],
    *,
    basis: str,
    by: User | None,
    date: Any,
    source: str,
    source_key: str,
) -> int:
    """Write one Art. 12 record per goods line through reporting.record_transfer (idempotent per source id).

    Returns how many were written; 0 (logged) when reporting is not installed. A record reporting
    refuses is logged and skipped: the licence or shipment it describes stands.
    """
    try:
        from attkit.reporting import services as reporting
    except ImportError:
        return 0
    function = getattr(reporting, "record_transfer", None)
    if function is None:
        return 0
    from django.core.exceptions import ValidationError

    end_user = case.end_user()
    transit = list(case.transit.values_list("country", flat=True))
    written = 0
    for line, qty in quantities.items():
        facts = {
            "authority": case.authority,
            "by": by,
            "direction": _DIRECTIONS.get(case.kind, case.kind),
            "basis": basis,
            "category": report_category(line.category),
            "date": date,
            "quantity": qty,
            "value": (line.value * qty / line.quantity).quantize(Decimal("0.01")) if line.quantity else line.value,
            "currency": line.currency,
            "description": line.description,
            "hs_code": line.hs_code,
            "exporting_state": case.origin_country,
            "importing_state": case.destination_country,
            "transit_states": transit,
            "end_user": end_user.name if end_user else "",
            "licence_reference": case.reference,
            "euc_serial": case.euc_serial,
            "source": source,
            "source_id": f"{source_key}:{line.line_no}",
        }
        try:
            inspect.signature(function).bind(**facts)
        except TypeError as exc:
            logger.warning("reporting.record_transfer does not take these facts (%s); records not written", exc)
            return written
        try:
            function(**facts)
        except ValidationError as exc:
            logger.warning("Art. 12 record of %s line %s refused by reporting: %s", case, line.line_no, exc)
            continue
        written += 1
    return written
