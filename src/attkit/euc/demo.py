"""Demo data: Mexico's end-user certificates in every state of their life (all parties fictional); idempotent."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.utils import timezone

from attkit.euc import services
from attkit.euc.models import EndUserCertificate

EXPORTER = {
    "role": "exporter",
    "name": "Demo Wehrtechnik GmbH (fictional)",
    "business_name": "Demo Wehrtechnik",
    "address": "Beispielstraße 12, 70173 Stuttgart",
    "country": "DE",
}

BASE: dict[str, Any] = {
    "model": "attkit-euc/1",
    "certificate": {
        "validity_days": 365,
        "official_name": "Lic. Mariana Ejemplo Ruiz",
        "official_title": "Directora General de Autorizaciones (ficticia)",
        "certification_text": (
            "El Gobierno certifica que el usuario final nombrado en este certificado es auténtico. / "
            "The Government certifies that the end user named in this certificate is authentic."
        ),
        "contract_number": "",
        "contract_date": None,
        "final_destination_country": "MX",
    },
    "parties": [
        EXPORTER,
        {
            "role": "end_user",
            "name": "Policía Estatal de Ejemplo (fictional state police)",
            "position": "Coordinación de Logística y Armamento",
            "address": "Av. de la Demostración 100, Col. Centro, 06000 Ciudad de México",
            "country": "MX",
        },
        {
            "role": "consignee",
            "name": "Dirección de Almacenes de Ejemplo (fictional)",
            "address": "Almacén Central, Km 12 Carretera Demo, 54000 Estado de México",
            "country": "MX",
        },
    ],
    "goods": [
        {
            "description": "Semi-automatic rifle for law enforcement / Fusil semiautomático policial",
            "model": "DW-R16 (fictional)",
            "calibre": "5.56 x 45 mm",
            "un_category": "VIII",
            "salw_line": "SA-2",
            "national_category": "ML1.a",
            "hs_code": "930190",
            "quantity": 250,
            "unit": "unit",
            "value": "387500.00",
            "currency": "EUR",
        },
        {
            "description": "Self-loading service pistol / Pistola semiautomática de servicio",
            "model": "DW-P9 (fictional)",
            "calibre": "9 x 19 mm",
            "un_category": "VIII",
            "salw_line": "SA-1",
            "national_category": "ML1.a",
            "hs_code": "930200",
            "quantity": 400,
            "unit": "unit",
            "value": "212000.00",
            "currency": "EUR",
        },
    ],
    "end_use": {
        "description": (
            "Equipment of the state police's public-security units / Dotación de las unidades de seguridad pública"
        ),
        "undertakings": {
            "no_other_use": True,
            "no_reexport_without_consent": True,
            "no_wmd": True,
            "delivery_verification": True,
            "post_shipment_verification": False,
        },
    },
}

# contract number (the demo's idempotency key) -> what happens to the certificate.
SCENARIOS = (
    ("DEMO-EUC-DRAFT", "draft"),
    ("DEMO-EUC-ISSUED", "issued"),
    ("DEMO-EUC-PARTIAL", "partially_used"),
    ("DEMO-EUC-CLOSED", "closed"),
    ("DEMO-EUC-REVOKED", "revoked"),
)


def _request(contract: str) -> dict[str, Any]:
    request = copy.deepcopy(BASE)
    request["certificate"]["contract_number"] = contract
    request["certificate"]["contract_date"] = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    return request


def load(ctx: Any, quick: bool = False) -> None:
    """MX certificates: a draft, one issued, one partially used by DE, one closed with a DVC, one revoked."""
    users = ctx.users
    try:
        drafter = users["mx.licensing_officer"]
        issuer = users["mx.euc_issuer"]
        supervisor = users["mx.supervisor"]
        verifier = users["de.euc_verifier"]
    except KeyError:
        return
    authority = ctx.authorities["MX"]
    for contract, target in SCENARIOS:
        if EndUserCertificate.objects.for_authority(authority).filter(contract_number=contract).exists():
            continue
        euc = services.draft_from_request(by=drafter, request=_request(contract))
        if target == "draft":
            continue
        euc = services.issue(euc.pk, by=issuer)
        if target == "partially_used":
            services.record_use(
                euc,
                exporting_state="DE",
                exporter=EXPORTER["name"],
                licence_reference="DE-AG-2026-0815 (demo)",
                quantities={1: 100, 2: 150},
                by=verifier,
            )
        elif target == "closed":
            services.record_use(
                euc,
                exporting_state="DE",
                exporter=EXPORTER["name"],
                licence_reference="DE-AG-2026-0816 (demo)",
                quantities={1: 250, 2: 400},
                by=verifier,
            )
            services.record_delivery(
                euc.pk,
                by=issuer,
                delivery_date=timezone.localdate(),
                checked_by="Cap. Demo Ejemplo, Almacén Central (fictional)",
                quantities={1: 250, 2: 400},
            )
        elif target == "revoked":
            services.revoke(euc.pk, by=supervisor, reason="Demo: the end user withdrew the order.")
    ctx.notes.append(
        "End-user certificates: MX has a draft, an issued, a partially used (by DE), a closed (with DVC) and a "
        "revoked certificate; DE's verifier (de.euc_verifier) records uses at /euc/use/."
    )
