"""Privilege escalation inside one authority: an applicant calling officers' endpoints with well-formed requests,
and an applicant reaching another organisation's applications.

Each attempt is made at the moment the official's action would succeed (the official then does it, which
proves the request was valid), through the API with the applicant's token and through the page with the
applicant's session; it must be refused (403, or 404 where the record is hidden) and change nothing.
"""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from django.test import Client

from attkit.assessment import services as assessment
from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.licensing import services
from attkit.licensing.models import Case, CaseState
from tests.hardening._access_walk import REFUSAL_KINDS
from tests.licensing import world as w
from tests.licensing.api_client import Api, api_for

pytestmark = pytest.mark.django_db


def _changes() -> int:
    return AuditEvent.objects.exclude(kind__in=REFUSAL_KINDS).count()


class Attempts:
    """The applicant's token and session; every call must be refused without a change."""

    def __init__(self, user: Any) -> None:
        self.api: Api = api_for(user)
        self.page = Client(raise_request_exception=False)
        self.page.force_login(user)

    def refused(self, method: str, path: str, body: Any = None, *, page: dict[str, Any] | None = None) -> None:
        before = _changes()
        if method in ("get", "delete"):
            response = getattr(self.api, method)(path)
        else:
            response = getattr(self.api, method)(path, body)
        assert response.status_code in (403, 404), (method, path, response.status_code, response.content[:300])
        assert _changes() == before, f"{method} {path} changed state"

    def page_refused(self, path: str, data: dict[str, Any]) -> None:
        before = _changes()
        response = self.page.post(path, data)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert _changes() == before, f"POST {path} changed state"


@pytest.fixture
def journey(make_user, make_authority):
    world = w.build(make_user, make_authority)
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    case = services.submit(case.pk, by=world["de.applicant"])
    assert case.state == CaseState.SCREENING
    return world, case


def test_applicant_cannot_act_as_an_official_at_any_step(journey):
    world, case = journey
    applicant = Attempts(world["de.applicant"])
    cid = case.pk
    # screening: review the hit, resolve a flag, clear screening
    hit = case.hits.get()
    applicant.refused("post", f"/licensing/hits/{hit.pk}/review", {"decision": "false_positive", "reason": "mine"})
    applicant.page_refused(
        f"/cases/{cid}/hits/{hit.pk}/review/", {"decision": "false_positive", "reason": "mine", "status": "cleared"}
    )
    for flag in case.flags.filter(status="open"):
        applicant.refused("post", f"/licensing/flags/{flag.pk}/resolve", {"resolution": "cleared", "reason": "x"})
        applicant.page_refused(f"/cases/{cid}/flags/{flag.pk}/resolve/", {"resolution": "cleared", "reason": "x"})
    services.review_hit(hit.pk, by=world["de.supervisor"], decision="false_positive", reason="Not the listed one.")
    applicant.refused("post", f"/licensing/cases/{cid}/screening-clear")
    applicant.page_refused(f"/cases/{cid}/screening-clear/", {})
    case = services.screening_clear(cid, by=world["de.officer"])
    assert case.state == CaseState.UNDER_ASSESSMENT
    # routing and consultation
    defence = world.agencies["de.defence"]
    applicant.refused("post", "/licensing/routing-rules", {"agency": str(defence.pk), "kind": "export"})
    applicant.page_refused("/cases/routing/", {"agency": str(defence.pk), "kind": "export"})
    rule = defence.routing_rules.first() if hasattr(defence, "routing_rules") else None
    if rule is not None:
        applicant.refused("delete", f"/licensing/routing-rules/{rule.pk}")
    applicant.refused("post", f"/licensing/cases/{cid}/consult", {"agency": str(defence.pk)})
    applicant.refused("post", f"/licensing/cases/{cid}/advice", {"outcome": "approve", "reasons": "fine"})
    applicant.page_refused(f"/cases/{cid}/advice/", {"outcome": "approve", "reasons": "fine"})
    services.give_advice(cid, by=world["de.defence"], outcome="approve", reasons="Standard police equipment.")
    services.give_advice(cid, by=world["de.foreign"], outcome="approve", reasons="No concern.")
    # assessment
    bank = assessment.bank()
    answers = w.answer_everything(bank)
    applicant.refused("put", f"/assessment/cases/{cid}/answers", {"answers": answers, "summary": "low"})
    applicant.page_refused(f"/assessment/cases/{cid}/", {"summary": "low"})
    applicant.refused("post", f"/assessment/cases/{cid}/mitigations", {"measure": "end_use_check", "description": "x"})
    assessment.save_answers(cid, by=world["de.assessor"], answers=answers, summary="Low risk.")
    applicant.refused("post", f"/assessment/cases/{cid}/complete")
    applicant.page_refused(f"/assessment/cases/{cid}/complete/", {})
    assessment.complete(cid, by=world["de.assessor"])
    applicant.refused("post", f"/assessment/cases/{cid}/reopen", {"reason": "again"})
    applicant.page_refused(f"/assessment/cases/{cid}/reopen/", {"reason": "again"})
    # decision, countersignature, licence
    decision = {"outcome": "approve", "reasons": "I approve my own export.", "criteria": []}
    applicant.refused("post", f"/licensing/cases/{cid}/decision", decision)
    applicant.page_refused(f"/cases/{cid}/decision/", decision)
    services.propose_decision(cid, by=world["de.officer"], outcome="approve", reasons="Advice and assessment agree.")
    applicant.refused("post", f"/licensing/cases/{cid}/countersign", {"agree": True, "reason": "yes"})
    applicant.page_refused(f"/cases/{cid}/countersign/", {"agree": "yes", "agree_choice": "agree", "reason": "yes"})
    services.countersign(cid, by=world["de.supervisor"], agree=True, reason="Agreed.")
    applicant.refused("post", f"/licensing/cases/{cid}/issue", {})
    applicant.page_refused(f"/cases/{cid}/issue/", {})
    case = services.issue_licence(cid, by=world["de.officer"])
    assert case.state == CaseState.LICENCE_ISSUED
    # after issue: suspend, revoke, shipments, denial notices
    for action in ("suspend", "revoke"):
        applicant.refused("post", f"/licensing/cases/{cid}/{action}", {"reason": "mine"})
        applicant.page_refused(f"/cases/{cid}/{action}/", {"reason": "mine"})
    shipment = {"declaration_number": "X-1", "shipment_date": "2026-01-01", "lines": [{"line": 1, "quantity": 1}]}
    applicant.refused("post", f"/licensing/cases/{cid}/shipments", shipment)
    applicant.refused("post", f"/licensing/cases/{cid}/denial-notice")
    assert Case.objects.get(pk=cid).state == CaseState.LICENCE_ISSUED


def test_applicant_cannot_manage_users_tokens_records_or_certificates(make_user, make_authority, tmp_path):
    world = w.build(make_user, make_authority)
    applicant_user = world["mx.applicant"]
    applicant = Attempts(applicant_user)
    officer = world["mx.officer"]
    # user management: create an administrator, give oneself roles, reset an official's second factor
    new_user = {"username": "mx.mine", "roles": ["administrator"], "password1": "x" * 20, "password2": "x" * 20}
    applicant.page_refused("/accounts/users/new/", new_user)
    applicant.page_refused(f"/accounts/users/{applicant_user.pk}/", {"roles": ["administrator", "applicant"]})
    applicant.page_refused(f"/accounts/users/{officer.pk}/reset-2fa/", {})
    assert applicant_user.roles() == frozenset({Role.APPLICANT})
    # a token for another role than the user's, and revoking someone else's token
    before = _changes()
    response = applicant.api.post("/accounts/tokens", {"name": "up", "role": "licensing_officer", "days": 30})
    assert response.status_code == 422 and _changes() == before
    response = applicant.page.post("/accounts/tokens/", {"name": "up", "role": "administrator", "days": 30})
    assert _changes() == before
    from attkit.accounts.services import create_token

    token, _text = create_token(user=officer, role=Role.LICENSING_OFFICER, name="gw", by=officer)
    applicant.refused("post", f"/accounts/tokens/{token.pk}/revoke")
    applicant.page_refused(f"/accounts/tokens/{token.pk}/revoke/", {})
    # records: create, import, correct
    record = {
        "year": 2025,
        "direction": "export",
        "basis": "actual",
        "category": "VIII",
        "quantity": 1,
        "importing_state": "DE",
    }
    applicant.refused("post", "/reporting/records", record)
    csv_file = io.BytesIO(b"year,direction,partner_country,category,quantity\n2025,export,DE,VIII,1\n")
    csv_file.name = "records.csv"
    before = _changes()
    assert applicant.api.upload("/reporting/records/import", {"file": csv_file}).status_code in (403, 404)
    assert _changes() == before
    csv_file.seek(0)
    applicant.page_refused("/reports/records/import/", {"file": csv_file})
    # end-user certificates: issue a draft, revoke an issued one, record a use
    from attkit.euc import services as euc

    request = copy.deepcopy(json.loads(w.EUC_EXAMPLE.read_text(encoding="utf-8")))
    draft = euc.draft_from_request(by=make_user("MX", Role.EUC_ISSUER), request=request)
    applicant.refused("post", f"/euc/certificates/{draft.pk}/issue")
    applicant.page_refused(f"/euc/{draft.pk}/issue/", {"confirm": "on"})
    applicant.page_refused(f"/euc/{world.euc.pk}/revoke/", {"reason": "mine", "confirm": "on"})
    use = {"serial": world.euc.serial, "seal": world.euc.seal_text, "exporting_state": "DE", "exporter": "Me"}
    applicant.refused("post", "/euc/uses", {**use, "licence_reference": "L-1", "quantities": {"1": 1}})
    applicant.refused("post", "/euc/certificates", request)
    draft.refresh_from_db()
    world.euc.refresh_from_db()
    assert draft.is_draft and world.euc.status == "issued"
    # screening review of a hit and loading lists
    applicant.refused("get", "/screening/hits")
    applicant.page_refused("/screening/lists/load/", {"source": "un"})


def test_applicant_cannot_reach_another_organisations_application(make_user, make_authority):
    world = w.build(make_user, make_authority, with_euc=False)
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    party = case.parties.first()
    line = case.goods.first()
    other = Attempts(world["de.other_applicant"])
    listing = other.api.get("/licensing/cases")
    assert listing.status_code == 200
    assert str(case.pk) not in listing.content.decode() and case.reference not in listing.content.decode()
    page = other.page.get("/cases/mine/")
    assert page.status_code == 200 and case.reference not in page.content.decode()
    for path in (f"/licensing/cases/{case.pk}", f"/licensing/cases/{case.pk}/documents"):
        other.refused("get", path)
    other.refused("put", f"/licensing/cases/{case.pk}", {"kind": "export", "end_use": "mine now"})
    other.refused("post", f"/licensing/cases/{case.pk}/parties", {"role": "consignee", "name": "Me", "country": "DE"})
    other.refused("delete", f"/licensing/cases/{case.pk}/parties/{party.pk}")
    other.refused("delete", f"/licensing/cases/{case.pk}/goods/{line.pk}")
    other.refused("post", f"/licensing/cases/{case.pk}/submit")
    other.refused("post", f"/licensing/cases/{case.pk}/withdraw", {"reason": "mine"})
    for path in ("", "apply/", "apply/about/", "apply/check/", "withdraw/", "respond/"):
        response = other.page.get(f"/cases/{case.pk}/{path}")
        assert response.status_code in (403, 404), (path, response.status_code)
    other.page_refused(f"/cases/{case.pk}/withdraw/", {"reason": "mine"})
    other.page_refused(f"/cases/{case.pk}/apply/parties/{party.pk}/remove/", {})
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and case.parties.count() == 3
