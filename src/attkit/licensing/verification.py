"""The licence registry's answer to the seal verifier (LIC1:): status, quantities left, suspension, revocation.

This is a named cross-authority read: a customs or licensing officer anywhere on the hub verifies a licence
sealed by a hosted authority and learns its standing, never the rest of the case.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from attkit.licensing import documents, texts
from attkit.licensing.models import Case, CaseState


def registry_status(reference: str, issuer: str, payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the registry says of a licence or refusal letter, or None when the issuer's registry is not here."""
    case = (
        Case.objects.filter(reference=reference, authority__code=issuer)
        .select_related("authority")
        .prefetch_related("goods")
        .first()
    )
    if case is None:
        return None
    kind = "refusal" if (payload or {}).get("t") == "R" else "licence"
    data: dict[str, Any] = {
        "document": kind,
        "reference": case.reference,
        "status": case.state,
        "status_label": case.state_label,
    }
    if kind == "licence":
        data["valid_until"] = case.licence_valid_until.isoformat() if case.licence_valid_until else None
        data["lines"] = [
            {
                "line": g.line_no,
                "category": g.category,
                "authorised": g.quantity,
                "shipped": g.quantity_shipped,
                "remaining": g.remaining,
                "unit": g.unit,
            }
            for g in case.goods.all()
        ]
    return data


def licence_registry(result: Any, context: Any) -> Any:
    """seals.verification handler for LIC1: (registered in LicensingConfig.ready)."""
    from attkit.seals.verification import RegistryStatus, Verdict

    serial = context.serial or ""
    payload = result.payload if isinstance(result.payload, dict) else {}
    reference = serial[:-2] if serial.endswith("-R") else serial
    data = registry_status(reference, context.issuer or "", payload)
    if data is None:
        return RegistryStatus(reasons=(_("The issuing authority's licence register is not on this hub."),))
    data["sealed"] = documents.describe(payload)
    if data["document"] == "refusal":
        return RegistryStatus(reasons=(_("This is a refusal letter: it authorises no transfer."),), data=data)
    state = data["status"]
    left = ", ".join(f"{row['line']}: {row['remaining']}" for row in data["lines"])
    reasons = [_("Status in the licence register: %(status)s.") % {"status": texts.state_label(state)}]
    if state in (CaseState.LICENCE_ISSUED, CaseState.IN_USE):
        reasons.append(_("Quantities left per line: %(left)s.") % {"left": left})
        return RegistryStatus(reasons=tuple(reasons), data=data)
    if state == CaseState.EXHAUSTED:
        return RegistryStatus(Verdict.ALREADY_USED, (*reasons, _("All quantities have been shipped.")), data)
    if state == CaseState.EXPIRED:
        return RegistryStatus(Verdict.EXPIRED, tuple(reasons), data)
    if state == CaseState.SUSPENDED:
        return RegistryStatus(Verdict.REVOKED, (*reasons, _("Do not release goods under a suspended licence.")), data)
    return RegistryStatus(Verdict.REVOKED, tuple(reasons), data)
