"""Demo data: cases in every state of the workflow, for Mexico (imports) and Germany (exports), with advice,
assessments, flags, a recorded disagreement, sealed licences and shipments. All parties are fictional.

Every case is driven through the services, as a user would: the demo shows the workflow, it does not
write states by hand. Idempotent: a case is made once per key (the key ends its stated end use).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.utils import timezone

from attkit.core.permissions import Role
from attkit.licensing import services
from attkit.licensing.models import Case, CaseState, HitStatus, RoutingRule

STATES_IN_ORDER = (
    CaseState.DRAFT,
    CaseState.SUBMITTED,
    CaseState.SCREENING,
    CaseState.AWAITING_INFORMATION,
    CaseState.UNDER_ASSESSMENT,
    CaseState.AWAITING_COUNTERSIGNATURE,
    CaseState.APPROVED,
    CaseState.REFUSED,
    CaseState.LICENCE_ISSUED,
    CaseState.IN_USE,
    CaseState.EXHAUSTED,
    CaseState.EXPIRED,
    CaseState.SUSPENDED,
    CaseState.REVOKED,
    CaseState.WITHDRAWN,
)

LOOKALIKE = {
    "role": "intermediary",
    "name": "Aigle Blanc SARL",
    "country": "FR",
    "address": "12 rue Exemple, Marseille",
}
LOW = "Open sources show no concern for this end user; stockpile inspected in 2025 (fictional)."


def _marker(key: str) -> str:
    return f"[demo {key}]"


def _users(ctx: Any, code: str) -> dict[str, Any]:
    """The core demo's logins of the authority, plus a Foreign Affairs adviser (the core gives Defence one)."""
    from attkit.accounts.models import Agency, User
    from attkit.accounts.services import create_user
    from attkit.core.demo import DEMO_PASSWORD

    prefix = code.lower()
    users = {
        role: User.objects.get(username=f"{prefix}.{role}")
        for role in ("applicant", "licensing_officer", "supervisor", "customs_officer", "assessor", "agency_adviser")
    }
    foreign = Agency.objects.filter(authority=users["applicant"].authority, kind="foreign_affairs").first()
    name = f"{prefix}.adviser_foreign"
    adviser = User.objects.filter(username=name).first()
    if adviser is None:
        adviser = create_user(
            username=name,
            authority=users["applicant"].authority,
            roles=[Role.AGENCY_ADVISER],
            password=DEMO_PASSWORD,
            agency=foreign,
            first_name="Foreign Affairs adviser",
            last_name=f"({code})",
            language="en" if code == "DE" else "es",
        )
        ctx.logins.append((name, code, "Agency adviser (Foreign Affairs)"))
    users["adviser_foreign"] = adviser
    return users


def _routing(authority: Any, kind: str) -> None:
    from attkit.accounts.models import Agency

    for agency_kind in ("defence", "foreign_affairs"):
        agency = Agency.objects.filter(authority=authority, kind=agency_kind).first()
        if agency is not None:
            RoutingRule.objects.get_or_create(authority=authority, agency=agency, kind=kind, defaults={"note": "demo"})


def _euc(ctx: Any, *, rifles: int, pistols: int) -> Any:
    """A Mexican EUC for the demo's end user and exporter, drafted and issued by two MX officials."""
    from attkit.accounts.models import User
    from attkit.euc import services as euc_services

    request = copy.deepcopy(_EUC_REQUEST)
    request["goods"][0]["quantity"] = rifles
    request["goods"][1]["quantity"] = pistols
    request["certificate"]["contract_number"] = f"SSP-DEMO-{timezone.now():%H%M%S%f}"
    request["certificate"]["contract_date"] = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    drafter = User.objects.get(username="mx.euc_issuer")
    issuer = User.objects.get(username="mx.system")
    draft = euc_services.draft_from_request(by=drafter, request=request)
    return euc_services.issue(draft.pk, by=issuer)


_EUC_REQUEST: dict[str, Any] = {
    "model": "attkit-euc/1",
    "certificate": {
        "validity_days": 365,
        "official_name": "Lic. Mariana Ejemplo Ruiz",
        "official_title": "Directora General de Autorizaciones (ficticia)",
        "certification_text": "El Gobierno certifica que el usuario final nombrado en este certificado es auténtico.",
        "contract_number": "SSP-DEMO-2026-0457",
        "contract_date": "2026-09-15",
        "final_destination_country": "MX",
    },
    "parties": [
        {
            "role": "exporter",
            "name": "Demo Wehrtechnik GmbH (fictional)",
            "business_name": "Demo Wehrtechnik",
            "address": "Beispielstraße 12, 70173 Stuttgart",
            "country": "DE",
        },
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
            "quantity": 100,
            "unit": "unit",
            "value": "155000.00",
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
            "quantity": 50,
            "unit": "unit",
            "value": "26500.00",
            "currency": "EUR",
        },
    ],
    "end_use": {
        "description": "Dotación de las unidades de seguridad pública de la policía estatal (ficticia).",
        "undertakings": {
            "no_other_use": True,
            "no_reexport_without_consent": True,
            "no_wmd": True,
            "delivery_verification": True,
            "post_shipment_verification": True,
        },
    },
}


def _goods(rifles: int, pistols: int) -> list[dict[str, Any]]:
    return [
        {
            "description": "Semi-automatic rifle DW-R16 (fictional), 5.56 mm",
            "un_category": "VIII",
            "salw_line": "SA-2",
            "hs_code": "9301.90",
            "national_code": "ML1.a",
            "quantity": rifles,
            "value": str(rifles * 1550),
            "currency": "EUR",
        },
        {
            "description": "Self-loading pistol DW-P9 (fictional), 9 mm",
            "un_category": "VIII",
            "salw_line": "SA-1",
            "hs_code": "9302.00",
            "national_code": "ML1.a",
            "quantity": pistols,
            "value": str(pistols * 530),
            "currency": "EUR",
        },
    ]


def _application(code: str, key: str, *, euc: Any, lookalike: bool = False) -> dict[str, Any]:
    parties = [
        {
            "role": "end_user",
            "name": "Policía Estatal de Ejemplo (fictional state police)",
            "country": "MX",
            "is_state_body": True,
            "address": "Av. de la Demostración 100, Ciudad de México",
        },
        {
            "role": "consignee",
            "name": "Dirección de Almacenes de Ejemplo (fictional)",
            "country": "MX",
            "is_state_body": True,
        },
    ]
    if lookalike:
        parties.append(dict(LOOKALIKE))
    rifles = int(euc.goods.get(line_no=1).quantity) if euc else 40
    pistols = int(euc.goods.get(line_no=2).quantity) if euc else 20
    data: dict[str, Any] = {
        "kind": "export" if code == "DE" else "import",
        "destination_country": "MX",
        "origin_country": "DE",
        "end_use": f"Equipment of the state police's public-security units (fictional). {_marker(key)}",
        "parties": parties,
        "goods": _goods(rifles, pistols),
    }
    if euc is not None:
        data["euc_serial"] = euc.serial
        data["euc_seal_text"] = euc.seal_text
    return data


def _refused_application(code: str, key: str) -> dict[str, Any]:
    if code == "DE":
        return {
            "kind": "export",
            "destination_country": "SS",
            "end_use": f"Stated: equipment of a private security company (fictional). {_marker(key)}",
            "euc_serial": "SS-EUC-0001",
            "parties": [
                {"role": "end_user", "name": "Juba Guard Services Ltd (fictional)", "country": "SS"},
                {"role": "consignee", "name": "Juba Guard Services Ltd (fictional)", "country": "SS"},
            ],
            "goods": [
                {
                    "description": "Assault rifle (fictional model)",
                    "un_category": "VIII",
                    "salw_line": "SA-4",
                    "hs_code": "9301.90",
                    "quantity": 40,
                    "value": "60000",
                    "currency": "USD",
                }
            ],
        }
    return {
        "kind": "import",
        "origin_country": "DE",
        "end_use": f"Stated: resale to private security firms (fictional). {_marker(key)}",
        "euc_serial": "MX-EUC-2025-000999-00",
        "parties": [
            {"role": "end_user", "name": "Seguridad Privada Ejemplo S.A. (fictional)", "country": "MX"},
            {"role": "consignee", "name": "Seguridad Privada Ejemplo S.A. (fictional)", "country": "MX"},
        ],
        "goods": _goods(300, 0)[:1],
    }


class _Driver:
    """Drives one case through the services to its target state."""

    def __init__(self, ctx: Any, code: str, users: dict[str, Any]) -> None:
        self.ctx, self.code, self.u = ctx, code, users

    def create(self, key: str, *, with_euc: bool = True, lookalike: bool = False, refused: bool = False) -> Case:
        if refused:
            data = _refused_application(self.code, key)
        else:
            euc = _euc(self.ctx, rifles=100, pistols=50) if with_euc else None
            data = _application(self.code, key, euc=euc, lookalike=lookalike)
        return services.create_application(by=self.u["applicant"], data=data)

    def submit(self, case: Case, *, start: bool = True) -> Case:
        return services.submit(case.pk, by=self.u["applicant"], start_screening=start)

    def clear(self, case: Case) -> Case:
        for hit in case.hits.filter(status=HitStatus.PENDING):
            services.review_hit(
                hit.pk,
                by=self.u["supervisor"],
                decision="false_positive",
                reason="A registered French freight forwarder, not the listed person (different identity).",
            )
        for flag in case.flags.filter(severity="blocking", status="open"):
            services.resolve_flag(
                flag.pk, by=self.u["supervisor"], resolution="confirmed", reason="Checked by the supervisor."
            )
        return services.screening_clear(case.pk, by=self.u["licensing_officer"])

    def advise(self, case: Case, *, both: bool = True) -> None:
        services.give_advice(
            case.pk, by=self.u["agency_adviser"], outcome="approve", reasons="Standard police equipment; no concern."
        )
        if both:
            services.give_advice(
                case.pk,
                by=self.u["adviser_foreign"],
                outcome="approve_with_conditions",
                reasons="No concern in open sources.",
                conditions="Delivery verification certificate within 60 days.",
            )

    def assess(
        self, case: Case, *, complete: bool = True, gates_yes: tuple[str, ...] = (), high: tuple[str, ...] = ()
    ) -> None:
        from attkit.assessment import services as assessment

        bank = assessment.bank()
        answers = {}
        for question in bank.questions:
            gate = question.kind.value == "gate"
            rating = "high" if question.criterion.value in high else "low"
            value = ("yes" if question.code in gates_yes else "no") if gate else rating
            evidence = LOW if value not in ("no", "none") else ""
            answers[question.code] = {"value": value, "evidence": evidence, "sources": list(question.sources[:1])}
        assessment.save_answers(case.pk, by=self.u["assessor"], answers=answers, summary="Demo assessment.")
        if complete:
            assessment.complete(case.pk, by=self.u["assessor"])

    def approve(self, case: Case, *, countersign: bool = True, disagree_first: bool = False) -> Case:
        propose = {
            "outcome": "approve",
            "reasons": "Advice of Defence and Foreign Affairs and the assessment agree: low risk.",
            "conditions": "Delivery verification certificate within 60 days.",
        }
        if disagree_first:
            services.propose_decision(case.pk, by=self.u["licensing_officer"], **propose)
            services.countersign(
                case.pk, by=self.u["supervisor"], agree=False, reason="Ask for the DVC condition in writing first."
            )
        services.propose_decision(case.pk, by=self.u["licensing_officer"], **propose)
        if countersign:
            return services.countersign(case.pk, by=self.u["supervisor"], agree=True, reason="Agreed.")
        return Case.objects.get(pk=case.pk)

    def to_approved(self, key: str, **kwargs: Any) -> Case:
        case = self.clear(self.submit(self.create(key)))
        self.advise(case)
        self.assess(case)
        return self.approve(case, **kwargs)

    def issue(self, case: Case, valid_until: dt.date | None = None) -> Case:
        return services.issue_licence(case.pk, by=self.u["licensing_officer"], valid_until=valid_until)

    def ship(self, case: Case, number: str, lines: list[dict[str, Any]]) -> None:
        services.record_shipment(
            case.pk,
            by=self.u["customs_officer"],
            declaration_number=number,
            shipment_date=timezone.localdate(),
            lines=lines,
        )


def _build(driver: _Driver, state: str, key: str) -> None:
    d = driver
    s = CaseState
    if state == s.DRAFT:
        d.create(key)
    elif state == s.SUBMITTED:
        d.submit(d.create(key), start=False)
    elif state == s.SCREENING:
        d.submit(d.create(key, lookalike=True))
    elif state == s.AWAITING_INFORMATION:
        case = d.submit(d.create(key))
        services.request_information(
            case.pk, by=d.u["licensing_officer"], reason="Send the contract with the end user, signed by both parties."
        )
    elif state == s.UNDER_ASSESSMENT:
        case = d.clear(d.submit(d.create(key, lookalike=True)))
        d.advise(case, both=False)
        d.assess(case, complete=False)
    elif state == s.AWAITING_COUNTERSIGNATURE:
        case = d.clear(d.submit(d.create(key)))
        d.advise(case)
        d.assess(case)
        d.approve(case, countersign=False)
    elif state == s.APPROVED:
        d.to_approved(key, disagree_first=True)
    elif state == s.REFUSED:
        case = d.clear(d.submit(d.create(key, refused=True)))
        if d.code == "DE":
            d.assess(case, gates_yes=("art6.1.destination",))
            criteria, reasons = ["ATT-6.1"], "The UN Security Council's arms embargo on South Sudan prohibits it."
        else:
            d.assess(case, high=("7.1.b.iv", "11"))
            criteria = ["ATT-7.1.b.iv", "ATT-11"]
            reasons = "Overriding risk of diversion to organised crime: resale intended, no end-use control."
        services.propose_decision(
            case.pk, by=d.u["licensing_officer"], outcome="refuse", criteria=criteria, reasons=reasons
        )
        services.countersign(case.pk, by=d.u["supervisor"], agree=True, reason="Agreed.")
        if d.code == "DE":
            services.share_denial_notice(case.pk, by=d.u["licensing_officer"])
    elif state == s.WITHDRAWN:
        case = d.submit(d.create(key))
        services.withdraw(case.pk, by=d.u["applicant"], reason="The contract was cancelled.")
    else:
        _build_licence(d, state, key)


def _build_licence(d: _Driver, state: str, key: str) -> None:
    s = CaseState
    today = timezone.localdate()
    valid_until = today + dt.timedelta(days=1) if state == s.EXPIRED else None
    case = d.issue(d.to_approved(key), valid_until)
    prefix = f"{d.code}-DEMO-{key.upper()}"
    if state == s.IN_USE:
        d.ship(case, f"{prefix}-1", [{"line": 1, "quantity": 40}, {"line": 2, "quantity": 20}])
    elif state == s.EXHAUSTED:
        d.ship(case, f"{prefix}-1", [{"line": 1, "quantity": 60}, {"line": 2, "quantity": 50}])
        d.ship(case, f"{prefix}-2", [{"line": 1, "quantity": 40}])
    elif state == s.EXPIRED:
        services.expire_licences(today=today + dt.timedelta(days=2))
    elif state == s.SUSPENDED:
        d.ship(case, f"{prefix}-1", [{"line": 1, "quantity": 10}])
        services.suspend(
            case.pk, by=d.u["supervisor"], reason="New information on the end user under review (Art. 7(7))."
        )
    elif state == s.REVOKED:
        services.revoke(case.pk, by=d.u["supervisor"], reason="The end user was found to divert arms (Art. 7(7)).")


def load(ctx: Any, quick: bool = False) -> None:
    """Cases in every state for MX (imports) and, unless quick, DE (exports); a second run adds nothing."""
    from attkit.core.models import Authority

    wanted: list[tuple[str, str]] = [("MX", "import")] + ([] if quick else [("DE", "export")])
    made = 0
    for code, kind in wanted:
        authority = Authority.objects.filter(code=code).first()
        if authority is None:
            continue
        _routing(authority, kind)
        driver = _Driver(ctx, code, _users(ctx, code))
        for number, state in enumerate(STATES_IN_ORDER, start=1):
            key = f"{code.lower()}-{number:02d}"
            if Case.objects.filter(authority=authority, end_use__endswith=_marker(key)).exists():
                continue
            _build(driver, state, key)
            made += 1
    if made:
        ctx.notes.append(f"licensing: {made} demo cases in every state of the workflow")
