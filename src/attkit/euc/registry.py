"""Registry status for seal verification: what the issuing authority's register knows of an EUC or a DVC.

The seal proves who issued a certificate and what it said; only the register knows whether it was revoked,
replaced by an amendment, already used up, or closed by a delivery verification. These handlers answer
for online verifications whose signature verified (attkit.seals.verification calls them).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from attkit.core import rows
from attkit.euc import lifecycle, payload

if TYPE_CHECKING:
    from attkit.seals import codec
    from attkit.seals.verification import RegistryStatus, VerificationContext

S = lifecycle.Status


def _date(value: Any) -> str:
    return str(formats.date_format(value, "DATE_FORMAT")) if value else "—"


_CERTIFICATE_FIELDS = ("id", "authority", "serial", "status", "expiry_date", "document_hash", "revoked_at")


@functools.cache
def _register_sql() -> tuple[rows.Columns[Any], str]:
    """The certificate, its count of uses and its goods lines with the quantity used of each: one query.

    Every online verification runs it; written as SQL because the ORM's compiler cost more than the
    round trip (docs/performance.md, "Load"). The serial is unique; the issuer is checked too.
    """
    from attkit.core.models import Authority
    from attkit.euc.models import EndUserCertificate, EucGoodsLine, EucUse, EucUseLine

    certificate = rows.Columns.of(EndUserCertificate, "e", *_CERTIFICATE_FIELDS)
    sql = (
        f"SELECT {certificate.sql()}, "  # noqa: S608 (no user input)
        f"(SELECT COUNT(*) FROM {rows.table(EucUse)} u WHERE u.certificate_id = e.id), "
        "g.line_no, g.un_category, g.salw_line, g.hs_code, g.unit, g.quantity, "
        f"(SELECT COALESCE(SUM(l.quantity), 0) FROM {rows.table(EucUseLine)} l WHERE l.line_id = g.id) "
        f"FROM {rows.table(EndUserCertificate)} e "
        f"JOIN {rows.table(Authority)} a ON a.id = e.authority_id "
        f"LEFT JOIN {rows.table(EucGoodsLine)} g ON g.certificate_id = e.id "
        "WHERE e.serial = %s AND a.code = %s ORDER BY g.line_no"
    )
    return certificate, sql


def _register_rows(serial: str, issuer: str) -> tuple[Any, int, list[tuple[Any, ...]]] | None:
    """(certificate with the fields the status needs, number of uses, goods lines) or None if not registered."""
    certificate, sql = _register_sql()
    found = rows.fetch(sql, [serial, issuer])
    if not found:
        return None
    euc = certificate.build(found[0])
    rest = certificate.width
    goods = [tuple(row[rest + 1 :]) for row in found if row[rest + 1] is not None]
    return euc, int(found[0][rest]), goods


def _uses(certificate_id: Any) -> list[tuple[str, bool]]:
    """(exporting state, flagged) of each recorded use of a certificate."""
    from attkit.euc.models import EucUse

    return [
        (state, bool(flagged))
        for state, flagged in EucUse.objects.filter(certificate_id=certificate_id)
        .order_by()
        .values_list("exporting_state", "flagged")
    ]


def euc_status(result: codec.VerifyResult, context: VerificationContext) -> RegistryStatus | None:
    """Registry status of an EUC1: seal: revoked, superseded, already used, quantities left, DVC."""
    from attkit.euc.categories import category_code
    from attkit.euc.models import STATUS_LABELS
    from attkit.seals.verification import RegistryStatus, Verdict

    if not context.serial or not context.issuer:
        return None
    found = _register_rows(context.serial, context.issuer)
    if found is None:
        return None
    euc, use_count, goods = found
    status = euc.effective_status(timezone.localdate(context.at))
    uses = _uses(euc.pk) if use_count else []
    lines = [
        {
            "line": line_no,
            "category": category_code(un_category, salw_line),
            "hs_code": hs_code,
            "unit": unit,
            "ordered": quantity,
            "used": used,
            "left": quantity - used,
        }
        for line_no, un_category, salw_line, hs_code, unit, quantity, used in goods
    ]
    data: dict[str, Any] = {
        "status": status.value,
        "status_label": str(STATUS_LABELS.get(status.value, status.value)),
        "quantities": lines,
        "uses": len(uses),
        "exporting_states": sorted({state for state, _flagged in uses}),
        "flagged": any(flagged for _state, flagged in uses),
    }
    reasons: list[str] = []
    verdict = None
    sealed_hash = result.payload.get("h") if isinstance(result.payload, dict) else None
    if isinstance(sealed_hash, bytes) and euc.document_hash and sealed_hash.hex() != euc.document_hash:
        reasons.append(_("The register's record of this certificate differs from the sealed document."))
        data["document_matches_register"] = False
    if status is S.REVOKED:
        verdict = Verdict.REVOKED
        data["revoked_on"] = euc.revoked_at.date().isoformat() if euc.revoked_at else None
        reasons.append(
            _("The register shows this certificate as revoked on %(date)s.") % {"date": _date(euc.revoked_at)}
        )
    elif status is S.SUPERSEDED:
        verdict = Verdict.SUPERSEDED
        newer = euc.amendments.exclude(serial=None).order_by("-issued_at").first()
        data["superseded_by"] = newer.serial if newer else None
        reasons.append(
            _("An amended certificate, %(serial)s, replaced this one.") % {"serial": newer.serial if newer else "—"}
        )
    elif status in (S.USED, S.CLOSED):
        verdict = Verdict.ALREADY_USED
        reasons.append(_("Every quantity of this certificate has already been used."))
    elif status is S.PARTIALLY_USED:
        reasons.append(
            _("Part of this certificate has been used by %(states)s; the quantities left are shown.")
            % {"states": ", ".join(data["exporting_states"])}
        )
    delivery = getattr(euc, "delivery", None) if status is S.CLOSED else None
    if delivery is not None:
        data["dvc"] = {"serial": delivery.serial, "delivery_date": delivery.delivery_date.isoformat()}
        reasons.append(
            _("The importing authority verified the delivery on %(date)s (%(serial)s).")
            % {"date": _date(delivery.delivery_date), "serial": delivery.serial}
        )
    if data["flagged"]:
        reasons.append(_("This certificate was presented by more than one exporting state or exporter."))
    return RegistryStatus(verdict=verdict, reasons=tuple(reasons), data=data)


def dvc_status(result: codec.VerifyResult, context: VerificationContext) -> RegistryStatus | None:
    """Registry status of a DVC1: seal: the certificate it closes."""
    from attkit.euc.models import DeliveryVerification
    from attkit.seals.verification import RegistryStatus

    if not context.serial or not context.issuer:
        return None
    dvc = (
        DeliveryVerification.objects.select_related("certificate")
        .filter(serial=context.serial, authority__code=context.issuer)
        .first()
    )
    if dvc is None:
        return None
    return RegistryStatus(
        reasons=(),
        data={
            "certificate": dvc.certificate.serial,
            "delivery_date": dvc.delivery_date.isoformat(),
            "discrepancies": bool(dvc.discrepancies),
        },
    )


def describe(verification: Any) -> dict[str, Any] | None:
    """The decoded document with readable keys (the raw seal payload uses one-letter keys)."""
    raw = getattr(verification, "certificate", None)
    if not isinstance(raw, dict):
        return raw
    if verification.prefix == payload.EUC_PREFIX:
        return payload.describe_euc(raw)
    if verification.prefix == payload.DVC_PREFIX:
        return payload.describe_dvc(raw)
    return raw


def register_handlers() -> None:
    """Register the EUC1: and DVC1: handlers with the seal verifier (from EucConfig.ready())."""
    from attkit.seals import verification

    verification.register_document_kind(payload.EUC_PREFIX, euc_status, template="euc/_sealed_euc.html")
    verification.register_document_kind(payload.DVC_PREFIX, dvc_status, template="euc/_sealed_dvc.html")
