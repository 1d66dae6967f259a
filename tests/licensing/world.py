"""A small world for licensing tests: DE exports to MX, with agencies, officials, an applicant and an MX EUC.

Used by the service, API and browser tests alike, so that the two journeys of issue 5 read the same.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attkit.core.permissions import Role

ROOT = Path(__file__).resolve().parents[2]
EUC_EXAMPLE = ROOT / "examples" / "euc-request.json"
LICENCE_EXAMPLE = ROOT / "examples" / "licence-application.json"

END_USER = "Policía Estatal de Ejemplo (fictional state police)"
CONSIGNEE = "Dirección de Almacenes de Ejemplo (fictional)"
LOOKALIKE = "Aigle Blanc SARL"  # a freight forwarder whose name is an alias on the UN list: a false positive


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    agencies: dict[str, Any] = field(default_factory=dict)
    euc: Any = None

    def __getitem__(self, key: str) -> Any:
        return self.users[key]


def _agency(authority: Any, kind: str, name_en: str, name_es: str) -> Any:
    from attkit.accounts.models import Agency

    agency, _ = Agency.objects.get_or_create(
        authority=authority, name_en=name_en, defaults={"kind": kind, "name_es": name_es}
    )
    return agency


def _organisation(authority: Any, name: str, kind: str) -> Any:
    from attkit.accounts.models import Organisation

    organisation, _ = Organisation.objects.get_or_create(
        authority=authority, name=name, defaults={"kind": kind, "country": authority.code, "address": "-"}
    )
    return organisation


def build(make_user: Callable[..., Any], make_authority: Callable[..., Any], *, with_euc: bool = True) -> World:
    """Authorities DE and MX, their agencies and officials, DE's routing rules, and an issued MX EUC."""
    from attkit.licensing.models import RoutingRule

    world = World()
    de, mx = make_authority("DE"), make_authority("MX")
    for code, authority in (("de", de), ("mx", mx)):
        world.agencies[f"{code}.defence"] = _agency(
            authority, "defence", "Ministry of Defence", "Ministerio de Defensa"
        )
        world.agencies[f"{code}.foreign"] = _agency(
            authority, "foreign_affairs", "Ministry of Foreign Affairs", "Ministerio de Relaciones Exteriores"
        )
        world.agencies[f"{code}.customs"] = _agency(authority, "customs", "Customs", "Aduanas")
        world.agencies[f"{code}.licensing"] = _agency(authority, "licensing", "Licensing unit", "Unidad de licencias")
    exporter = _organisation(de, "Demo Wehrtechnik GmbH (fictional)", "exporter")
    other_exporter = _organisation(de, "Andere Demo AG (fictional)", "exporter")
    importer = _organisation(mx, "Importadora Demo S.A. de C.V. (fictional)", "importer")
    u = world.users
    u["de.applicant"] = make_user(de, Role.APPLICANT, username="de.applicant", organisation=exporter)
    u["de.other_applicant"] = make_user(de, Role.APPLICANT, username="de.other_applicant", organisation=other_exporter)
    u["de.officer"] = make_user(
        de, Role.LICENSING_OFFICER, username="de.officer", agency=world.agencies["de.licensing"]
    )
    u["de.officer2"] = make_user(de, Role.LICENSING_OFFICER, username="de.officer2")
    u["de.supervisor"] = make_user(de, Role.SUPERVISOR, username="de.supervisor", agency=world.agencies["de.licensing"])
    u["de.supervisor2"] = make_user(de, Role.SUPERVISOR, username="de.supervisor2")
    u["de.customs"] = make_user(de, Role.CUSTOMS_OFFICER, username="de.customs", agency=world.agencies["de.customs"])
    u["de.assessor"] = make_user(de, Role.ASSESSOR, username="de.assessor", agency=world.agencies["de.foreign"])
    u["de.defence"] = make_user(de, Role.AGENCY_ADVISER, username="de.defence", agency=world.agencies["de.defence"])
    u["de.foreign"] = make_user(de, Role.AGENCY_ADVISER, username="de.foreign", agency=world.agencies["de.foreign"])
    u["mx.applicant"] = make_user(mx, Role.APPLICANT, username="mx.applicant", organisation=importer)
    u["mx.officer"] = make_user(mx, Role.LICENSING_OFFICER, username="mx.officer")
    u["mx.supervisor"] = make_user(mx, Role.SUPERVISOR, username="mx.supervisor")
    u["mx.customs"] = make_user(mx, Role.CUSTOMS_OFFICER, username="mx.customs")
    for agency in ("de.defence", "de.foreign"):
        RoutingRule.objects.get_or_create(authority=de, agency=world.agencies[agency], kind="export")
    if with_euc:
        world.euc = issue_mx_euc(make_user)
    return world


def issue_mx_euc(make_user: Callable[..., Any]) -> Any:
    """An EUC of MX for DE's exporter (examples/euc-request.json), drafted and issued by two MX officials."""
    from attkit.euc import services

    drafter = make_user("MX", Role.EUC_ISSUER, username="mx.euc_drafter")
    issuer = make_user("MX", Role.EUC_ISSUER, username="mx.euc_issuer")
    request = copy.deepcopy(json.loads(EUC_EXAMPLE.read_text(encoding="utf-8")))
    euc = services.draft_from_request(by=drafter, request=request)
    return services.issue(euc.pk, by=issuer)


def export_application(world: World, **overrides: Any) -> dict[str, Any]:
    """DE's export of rifles and pistols to MX's state police, relying on the MX EUC."""
    data: dict[str, Any] = {
        "kind": "export",
        "permanence": "permanent",
        "destination_country": "MX",
        "end_use": "Equipment of the state police's public-security units (fictional).",
        "parties": [
            {
                "role": "end_user",
                "name": END_USER,
                "country": "MX",
                "is_state_body": True,
                "address": "Ciudad de México",
            },
            {"role": "consignee", "name": CONSIGNEE, "country": "MX", "is_state_body": True},
            {"role": "intermediary", "name": LOOKALIKE, "country": "FR", "address": "12 rue Exemple, Marseille"},
        ],
        "goods": [
            {
                "description": "Semi-automatic rifle DW-R16 (fictional), 5.56 mm",
                "un_category": "VIII",
                "salw_line": "SA-2",
                "hs_code": "9301.90",
                "national_code": "ML1.a",
                "quantity": 100,
                "unit": "unit",
                "value": "155000.00",
                "currency": "EUR",
            },
            {
                "description": "Self-loading pistol DW-P9 (fictional), 9 mm",
                "un_category": "VIII",
                "salw_line": "SA-1",
                "hs_code": "9302.00",
                "national_code": "ML1.a",
                "quantity": 50,
                "unit": "unit",
                "value": "26500.00",
                "currency": "EUR",
            },
        ],
        "transit": [],
    }
    if world.euc is not None:
        data["euc_serial"] = world.euc.serial
        data["euc_seal_text"] = world.euc.seal_text
    data.update(overrides)
    return data


def embargoed_application() -> dict[str, Any]:
    """An export of rifles to South Sudan, under a full UN arms embargo (S/RES/2428 (2018))."""
    return {
        "kind": "export",
        "destination_country": "SS",
        "end_use": "Stated: equipment of a private security company (fictional).",
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


LOW_RISK = "Open sources (SIPRI, UN reports) show no concern for this end user; stockpile inspected (fictional)."


def answer_everything(assessment_bank: Any, *, gates_yes: tuple[str, ...] = (), rating: str = "low") -> dict[str, Any]:
    """Answers to every question of the bank: gates no (unless named), ratings `rating`, with evidence."""
    answers: dict[str, Any] = {}
    for question in assessment_bank.questions:
        gate = question.kind.value == "gate"
        value = rating if not gate else ("yes" if question.code in gates_yes else "no")
        answers[question.code] = {
            "value": value,
            "evidence": LOW_RISK if value not in ("no", "none") else "",
            "sources": list(question.sources[:1]),
        }
    return answers


# --- steps: a case brought to a state through the services ----------------------------------------------------


def submitted(world: World, data: dict[str, Any] | None = None, *, applicant: str = "de.applicant") -> Any:
    from attkit.licensing import services

    case = services.create_application(by=world[applicant], data=data or export_application(world))
    return services.submit(case.pk, by=world[applicant])


def under_assessment(world: World, data: dict[str, Any] | None = None) -> Any:
    from attkit.licensing import services

    case = submitted(world, data)
    for hit in case.hits.filter(status="pending"):
        services.review_hit(hit.pk, by=world["de.supervisor"], decision="false_positive", reason="Different entity.")
    for flag in case.flags.filter(severity="blocking", status="open"):
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="false_positive", reason="Checked.")
    return services.screening_clear(case.pk, by=world["de.officer"])


def advised(world: World, case: Any) -> Any:
    from attkit.licensing import services

    for user in ("de.defence", "de.foreign"):
        services.give_advice(case.pk, by=world[user], outcome="approve", reasons="No concern.")
    return case


def assessed(world: World, case: Any, *, gates_yes: tuple[str, ...] = (), rating: str = "low") -> Any:
    from attkit.assessment import services as assessment

    answers = answer_everything(assessment.bank(), gates_yes=gates_yes, rating=rating)
    assessment.save_answers(case.pk, by=world["de.assessor"], answers=answers)
    return assessment.complete(case.pk, by=world["de.assessor"])


def proposed(
    world: World, *, officer: str = "de.officer", outcome: str = "approve", criteria: tuple[str, ...] = ()
) -> Any:
    from attkit.licensing import services

    case = under_assessment(world)
    advised(world, case)
    assessed(world, case)
    services.propose_decision(case.pk, by=world[officer], outcome=outcome, criteria=list(criteria), reasons="Reasons.")
    case.refresh_from_db()
    return case


def issued(world: World) -> Any:
    from attkit.licensing import services

    case = proposed(world)
    services.countersign(case.pk, by=world["de.supervisor"], agree=True)
    return services.issue_licence(case.pk, by=world["de.officer"])
