"""Stage a role-play case in the sandbox authority through the real apps' services.

A simulation case becomes real records of the sandbox authority (is_sandbox=True), so the trainee works it on
the same screens and services as an official, and tenancy keeps it out of every real authority's lists:

- screening: each party is screened now by `attkit.screening.services.screen_subject`; the runs and hits
  belong to the sandbox authority (the hits review page of a sandbox user shows them);
- end-user certificate: a certificate is drafted and issued by `attkit.euc.services` (with the sandbox's
  system account), so its seal verifies on the real verification page; a reused certificate is closed by a
  delivery verification (the register then answers "already used"); a forged one is sealed with a key that
  no trust list holds (the verifier answers "unknown signer") and never enters the register;
- licensing: for a case whose trainee plays the licensing officer or the assessor, a fictional applicant of the
  sandbox (a system account of an organisation named after the case's exporter, which cannot sign in) files the
  application through `attkit.licensing.services` (parties, goods, end use, the staged certificate's serial and
  seal) and submits it, so the case reaches the officers' queue (/cases/) screened and with its automatic flags
  (embargo, screening hits, certificate problems), exactly as a real application does. The trainee works it on
  the real screens; `decision_on_case` reads back what they did for scoring.

Everything is created inside the caller's transaction (`services.start_simulation`): a failure leaves no
half-staged case behind, and opening the case again stages it afresh.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from attkit.core.permissions import Role
from attkit.training.content_loader import OWN_STATE, Case, EucStatus, GoodsLine, Party, TraineeRole

if TYPE_CHECKING:
    from attkit.accounts.models import User
    from attkit.core.models import Authority
    from attkit.training.models import SimulationRun

SUBJECT_TYPE = "training.simulationrun"
# Party roles of the course's cases, as the model end-user certificate names them.
EUC_ROLES = {
    "exporter": "exporter",
    "end_user": "end_user",
    "consignee": "consignee",
    "importer": "consignee",
    "broker": "broker",
    "freight_forwarder": "intermediary",
}
EUC_UNITS = {"ART3": "round"}
FORGER = "Unknown signer (forged)"
# Party roles of the course's cases as an application names them (the exporter is the applicant itself).
CASE_ROLES = {
    "end_user": "end_user",
    "consignee": "consignee",
    "importer": "consignee",
    "broker": "broker",
    "freight_forwarder": "intermediary",
}


def system_account(authority: Authority) -> User:
    """The sandbox's system account (`xt.system`, as the demo makes it), created if it is missing."""
    from attkit.accounts.models import User
    from attkit.accounts.services import create_user

    username = f"{authority.code.lower()}.system"
    user = User.objects.filter(username=username, authority=authority).first()
    if user is None:
        user = create_user(
            username=username,
            authority=authority,
            roles=[Role.EUC_ISSUER, Role.LICENSING_OFFICER],
            is_system=True,
            first_name="System",
            last_name=f"({authority.code})",
        )
    return user


def stage(run: SimulationRun, case: Case, *, by: User, own_state: str) -> dict[str, Any]:
    """Create the case's records in the run's (sandbox) authority; returns what was staged, JSON-able.

    ``own_state`` is the ISO code of the state the trainee plays (the cohort's country): the cases call it XX.
    """
    authority = run.authority
    if not authority.is_sandbox:
        raise ValueError("simulation cases are staged in a sandbox authority only")
    euc = stage_euc(case, authority, own_state=own_state)
    if not works_on_case(case):
        return {
            "own_state": own_state,
            "screening": stage_screening(run, case, by=by, own_state=own_state),
            "euc": euc,
            "licensing": None,
        }
    # The application's submission screens its parties itself (as for any real case): screening them here
    # too would put every hit twice on the screening page.
    licensing = stage_licensing(case, authority, euc=euc, own_state=own_state)
    return {"own_state": own_state, "screening": [], "euc": euc, "licensing": licensing}


def works_on_case(case: Case) -> bool:
    """Whether the trainee works this case as a licensing case on the real case screens (/cases/)."""
    return case.role in (TraineeRole.LICENSING_OFFICER, TraineeRole.ASSESSOR)


def _country(code: str, own_state: str) -> str:
    return own_state if code == OWN_STATE else code


def stage_screening(run: SimulationRun, case: Case, *, by: User, own_state: str) -> list[dict[str, Any]]:
    """Screen every party of the case (the trainee's own exporter too), as the licensing officer would."""
    from attkit.screening import services as screening

    staged = []
    for index, party in enumerate(case.parties):
        subject = screening.Subject(
            authority=run.authority,
            subject_type=SUBJECT_TYPE,
            subject_id=f"{run.pk}:{index}",
            label=f"{case.id} · {party.role}",
            name=party.name,
            country=_country(party.country, own_state),
        )
        screened = screening.screen_subject(subject, by=by)
        staged.append({"party": party.name, "role": party.role, "run": str(screened.pk), "hits": screened.hits.count()})
    return staged


def _salw_line(kind: str, number: str) -> str:
    """The EUC app's code of a SALW line ("SA-4" in the reference data's spelling, "SA4" in the older one)."""
    from attkit.euc.categories import SALW_LINES

    for code in (f"{kind}-{number}", f"{kind}{number}"):
        if code in SALW_LINES:
            return code
    raise ValueError(f"the EUC app knows no SALW line {kind} {number}")


def _goods_line(line: GoodsLine) -> dict[str, Any]:
    category = line.category
    salw = ""
    if category.startswith("VIII-"):
        _viii, kind, number = category.split("-")
        category, salw = "VIII", _salw_line(kind, number)
    return {
        "description": f"{line.description.es} / {line.description.en}",
        "un_category": category,
        "salw_line": salw,
        "hs_code": line.hs_code.replace(".", ""),
        "quantity": line.quantity,
        "unit": EUC_UNITS.get(category, "unit"),
    }


def euc_request(case: Case, *, own_state: str) -> dict[str, Any]:
    """A model v1 request for the certificate the case's end user presents (the sandbox plays the issuer)."""
    parties = []
    for party in case.parties:
        role = EUC_ROLES.get(party.role)
        if role is None:
            continue
        row = {
            "role": role,
            "name": party.name,
            "address": party.address,
            "country": _country(party.country, own_state),
        }
        if role == "end_user":
            row["position"] = "Jefatura de logística (ficticia) / Head of logistics (fictional)"
        parties.append(row)
    return {
        "model": "attkit-euc/1",
        "certificate": {
            "validity_days": 180,
            "official_name": "Simulation official (fictional)",
            "official_title": f"{case.euc.issuer.es} / {case.euc.issuer.en}",
            "certification_text": (
                "El Gobierno certifica que el usuario final nombrado en este certificado es auténtico (simulación). "
                "/ The Government certifies that the end user named in this certificate is authentic (simulation)."
            ),
            "contract_number": case.euc.serial,
            "final_destination_country": case.destination,
        },
        "parties": parties,
        "goods": [_goods_line(line) for line in case.goods],
        "end_use": {
            "description": f"{case.stated_end_use.es} / {case.stated_end_use.en}",
            "undertakings": {
                "no_other_use": True,
                "no_reexport_without_consent": True,
                "no_wmd": True,
                "delivery_verification": True,
                "post_shipment_verification": False,
            },
        },
    }


def stage_euc(case: Case, authority: Authority, *, own_state: str) -> dict[str, Any]:
    """The certificate the trainee must verify: issued, issued then used and closed, or forged."""
    from attkit.euc import services as euc_services

    system = system_account(authority)
    if case.euc.status is EucStatus.FORGED_SEAL:
        return {"status": case.euc.status.value, "id": None, "serial": case.euc.serial, "seal": forged_seal(case)}
    request = euc_request(case, own_state=own_state)
    draft = euc_services.draft_from_request(by=system, request=request, drafted_via="training")
    euc = euc_services.issue(draft.pk, by=system)
    if case.euc.status is EucStatus.ALREADY_USED:
        euc_services.record_delivery(
            euc.pk,
            by=system,
            delivery_date=timezone.localdate(),
            checked_by="Simulation (fictional)",
            quantities={line.line_no: line.quantity for line in euc.goods.all()},
        )
    return {"status": case.euc.status.value, "id": str(euc.pk), "serial": euc.serial, "seal": euc.seal_text}


def forged_seal(case: Case) -> str:
    """A well-formed EUC seal signed by a key of the forger's own making, which no trust list holds."""
    from attkit.euc import payload
    from attkit.euc.categories import category_code
    from attkit.seals import codec, pki
    from attkit.seals.services import CLAIM_CTI

    now = timezone.now()
    root = pki.create_root(country="XX", organization=FORGER, common_name=FORGER, not_before=now)
    signer = codec.Signer.from_pair(pki.issue_signer(root, common_name=FORGER, not_before=now))
    today = timezone.localdate()
    expiry = today + dt.timedelta(days=180)
    end_user = next(p for p in case.parties if p.role == "end_user")
    document = payload.euc_payload(
        serial=case.euc.serial,
        authority=case.destination,
        issue_date=today,
        expiry_date=expiry,
        end_user_country=end_user.country,
        end_user_name=end_user.name,
        goods=[
            (category_code(g["un_category"], g["salw_line"]), g["hs_code"], g["quantity"], g["unit"])
            for g in (_goods_line(line) for line in case.goods)
        ],
        doc_hash="00" * 32,
    )
    return codec.encode(
        document,
        signer=signer,
        issuer=case.destination,
        issued_at=now,
        expires_at=now + dt.timedelta(days=180),
        profile=codec.EUC,
        extra_claims={CLAIM_CTI: case.euc.serial.encode("utf-8")},
    )


# --- licensing ---------------------------------------------------------------------------------------------


def applicant_account(authority: Authority, exporter: Party) -> User:
    """The fictional applicant: a system account (it cannot sign in) of an organisation named after the case's
    exporter, in the sandbox; created on first use."""
    from attkit.accounts.models import Organisation, OrganisationKind, User
    from attkit.accounts.services import create_user

    organisation = Organisation.objects.filter(authority=authority, name=exporter.name).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            authority=authority,
            name=exporter.name,
            kind=OrganisationKind.EXPORTER,
            registration_number="SIM (fictional)",
            country=(authority.country or authority.code)[:2],
            address=exporter.address,
        )
    user = User.objects.filter(authority=authority, organisation=organisation, is_system=True).first()
    if user is None:
        base = f"{authority.code.lower()}.applicant"
        taken = User.objects.filter(username=base).exists()
        user = create_user(
            username=f"{base}.{organisation.pk.hex[:8]}" if taken else base,
            authority=authority,
            organisation=organisation,
            roles=[Role.APPLICANT],
            is_system=True,
            first_name="Applicant",
            last_name="(fictional)",
        )
    return user


def application_data(case: Case, *, euc: dict[str, Any], own_state: str) -> dict[str, Any]:
    """The application the case's exporter files: its parties, goods, end use and the staged certificate."""
    parties = []
    for party in case.parties:
        role = CASE_ROLES.get(party.role)
        if role is None:
            continue
        parties.append(
            {
                "role": role,
                "name": party.name,
                "address": party.address,
                "country": _country(party.country, own_state),
                "is_state_body": party.state_body,
            }
        )
    if not any(p["role"] == "consignee" for p in parties):
        # An export names its consignee; where the case names none, the end user receives the goods itself.
        end_user = next(p for p in parties if p["role"] == "end_user")
        parties.append({**end_user, "role": "consignee"})
    goods = []
    for line in case.goods:
        row = _goods_line(line)
        goods.append(
            {
                "description": row["description"][:500],
                "un_category": line.category,
                "hs_code": line.hs_code,
                "quantity": line.quantity,
                "unit": row["unit"],
            }
        )
    return {
        "kind": case.kind.value,
        "origin_country": own_state,
        "destination_country": case.destination,
        "end_use": f"{case.stated_end_use.es} / {case.stated_end_use.en}",
        "parties": parties,
        "goods": goods,
        "euc_serial": euc.get("serial") or case.euc.serial,
        "euc_seal_text": euc.get("seal") or "",
    }


def stage_licensing(case: Case, authority: Authority, *, euc: dict[str, Any], own_state: str) -> dict[str, Any]:
    """File and submit the case's application in the sandbox; it reaches the officers' queue with its flags."""
    from attkit.licensing import services as licensing

    exporter = next(p for p in case.parties if p.role == "exporter")
    applicant = applicant_account(authority, exporter)
    application = licensing.create_application(by=applicant, data=application_data(case, euc=euc, own_state=own_state))
    submitted = licensing.submit(application.pk, by=applicant)
    return {
        "id": str(submitted.pk),
        "reference": submitted.reference,
        "applicant": applicant.username,
        "flags": list(submitted.flags.values_list("code", flat=True)),
    }


def licensing_case(run: SimulationRun) -> Any:
    """The sandbox case staged for the run (licensing.Case), or None for a case worked on the case file only."""
    from attkit.licensing.models import Case as LicensingCase

    staged = (run.staged or {}).get("licensing") or {}
    if not staged.get("id"):
        return None
    return LicensingCase.objects.filter(authority=run.authority, pk=staged["id"]).first()


def decision_on_case(run: SimulationRun) -> tuple[str, list[str], str] | None:
    """What the trainee decided on the real case: (decision, criteria relied on, reasons); None before a proposal.

    The decision is the latest decision the run's trainee proposed on the case (a lone trainee cannot
    countersign, so the proposal is what is scored; another trainee's proposal or answers never count). The
    criteria relied on are, for a refusal, the criteria the proposal cites (ATT-6.1 becomes 6.1); for an approval,
    which cites none, the criteria the trainee weighed in the case's risk assessment: every Art. 6, 7 or 11
    criterion with a question the trainee answered with evidence, and "proportionality" for the proportionality
    questions.
    """
    from attkit.assessment import services as assessment
    from attkit.assessment.models import Assessment

    case = licensing_case(run)
    if case is None:
        return None
    # Only the run's own trainee's work counts: every trainee of the sandbox can open every sandbox case.
    decision = case.decisions.filter(proposed_by=run.trainee_id).order_by("-created_at").first()
    if decision is None:
        return None
    if decision.outcome == "refuse":
        criteria = [str(code).removeprefix("ATT-") for code in decision.criteria]
    else:
        criteria = []
        record = Assessment.objects.filter(case=case).first()
        if record is not None:
            questions = assessment.bank_of(record)
            for answer in record.answers.filter(answered_by=run.trainee_id).order_by("question"):
                if not answer.evidence.strip():
                    continue
                try:
                    question = questions.question(answer.question)
                except KeyError:
                    continue
                code = "proportionality" if answer.question.startswith("prop.") else question.criterion.value
                criteria.append(code)
    known = list(dict.fromkeys(criteria))
    reasons = decision.reasons
    if decision.conditions:
        reasons = f"{reasons}\n\n{decision.conditions}"
    return decision.outcome, known, reasons
