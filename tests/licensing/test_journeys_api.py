"""The two journeys of issue 5 through the API, each step by the role that takes it, with its own token."""

from __future__ import annotations

import datetime as dt

import pytest

from attkit.assessment import services as assessment
from tests.licensing import world as w
from tests.licensing.api_client import api_for

pytestmark = pytest.mark.django_db


def test_export_journey_through_the_api(world):
    applicant = api_for(world["de.applicant"])
    officer = api_for(world["de.officer"])
    supervisor = api_for(world["de.supervisor"])
    response = applicant.post("/licensing/cases", w.export_application(world))
    assert response.status_code == 201, response.content
    case = response.json()
    case_id = case["id"]
    assert case["reference"].startswith("DE-LIC-")
    assert applicant.post(f"/licensing/cases/{case_id}/submit").json()["state"] == "screening"

    hits = officer.get(f"/licensing/cases/{case_id}/hits").json()
    assert [h["status"] for h in hits] == ["pending"]
    reviewed = supervisor.post(
        f"/licensing/hits/{hits[0]['id']}/review", {"decision": "false_positive", "reason": "Different entity."}
    )
    assert reviewed.status_code == 200, reviewed.content
    cleared = officer.post(f"/licensing/cases/{case_id}/screening-clear")
    assert cleared.json()["state"] == "under_assessment", cleared.content

    for user, outcome in (("de.defence", "approve"), ("de.foreign", "no_objection")):
        given = api_for(world[user]).post(
            f"/licensing/cases/{case_id}/advice", {"outcome": outcome, "reasons": "Fine."}
        )
        assert given.status_code == 200, given.content

    assessor = api_for(world["de.assessor"])
    saved = assessor.put(f"/assessment/cases/{case_id}/answers", {"answers": w.answer_everything(assessment.bank())})
    assert saved.status_code == 200, saved.content
    done = assessor.post(f"/assessment/cases/{case_id}/complete")
    assert done.json()["status"] == "completed"
    assert done.json()["required_outcome"] is None

    proposed = officer.post(f"/licensing/cases/{case_id}/decision", {"outcome": "approve", "reasons": "All agree."})
    assert proposed.status_code == 201, proposed.content
    assert supervisor.post(f"/licensing/cases/{case_id}/countersign", {"agree": True}).json()["state"] == "approved"
    issued = officer.post(f"/licensing/cases/{case_id}/issue", {})
    assert issued.json()["state"] == "licence_issued"
    seal = issued.json()["licence_seal"]
    assert seal.startswith("LIC1:")

    customs = api_for(world["de.customs"])
    pdf = customs.get(f"/licensing/cases/{case_id}/licence.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    verdict = customs.post("/licensing/licence/verify", {"text": seal}).json()
    assert verdict["verdict"] == "valid" and verdict["valid"] is True
    assert verdict["certificate"]["reference"] == case["reference"]

    today = dt.date.today().isoformat()
    first = customs.post(
        f"/licensing/cases/{case_id}/shipments",
        {
            "declaration_number": "ATLAS-0001",
            "shipment_date": today,
            "lines": [{"line": 1, "quantity": 70}, {"line": 2, "quantity": 50}],
        },
    )
    assert first.status_code == 201, first.content
    second = customs.post(
        f"/licensing/cases/{case_id}/shipments",
        {"declaration_number": "ATLAS-0002", "shipment_date": today, "lines": [{"line": 1, "quantity": 30}]},
    )
    assert second.status_code == 201, second.content
    final = officer.get(f"/licensing/cases/{case_id}").json()
    assert final["state"] == "exhausted"
    assert [g["remaining"] for g in final["goods"]] == [0, 0]
    assert customs.post("/licensing/licence/verify", {"text": seal}).json()["verdict"] == "already_used"


def test_refusal_under_article_6_1_through_the_api(bare_world):
    world = bare_world
    applicant = api_for(world["de.applicant"])
    officer = api_for(world["de.officer"])
    supervisor = api_for(world["de.supervisor"])
    case_id = applicant.post("/licensing/cases", w.embargoed_application()).json()["id"]
    assert applicant.post(f"/licensing/cases/{case_id}/submit").json()["state"] == "screening"
    flags = officer.get(f"/licensing/cases/{case_id}/flags").json()
    embargo = next(f for f in flags if f["code"] == "un_embargo")
    assert embargo["severity"] == "blocking" and "2428" in embargo["message"]
    blocked = officer.post(f"/licensing/cases/{case_id}/screening-clear")
    assert blocked.status_code == 422 and "blocking" in str(blocked.json()["detail"])
    for flag in flags:
        if flag["severity"] == "blocking":
            resolved = supervisor.post(
                f"/licensing/flags/{flag['id']}/resolve", {"resolution": "confirmed", "reason": "Confirmed."}
            )
            assert resolved.status_code == 200, resolved.content
    assert officer.post(f"/licensing/cases/{case_id}/screening-clear").json()["state"] == "under_assessment"

    assessor = api_for(world["de.assessor"])
    answers = w.answer_everything(assessment.bank())
    answers["art6.1.destination"]["value"] = "no"
    refused = assessor.put(f"/assessment/cases/{case_id}/answers", {"answers": answers})
    assert refused.status_code == 422 and "art6.1.destination.value" in refused.json()["detail"]
    answers["art6.1.destination"] = {"value": "yes", "evidence": "S/RES/2428 (2018).", "sources": ["unsc-sanctions"]}
    assert assessor.put(f"/assessment/cases/{case_id}/answers", {"answers": answers}).status_code == 200
    state = assessor.post(f"/assessment/cases/{case_id}/complete").json()
    assert state["required_outcome"] == "refuse" and state["refusal_codes_required"] == ["ATT-6.1"]

    approve = officer.post(f"/licensing/cases/{case_id}/decision", {"outcome": "approve", "reasons": "Try."})
    assert approve.status_code == 422
    proposed = officer.post(
        f"/licensing/cases/{case_id}/decision", {"outcome": "refuse", "criteria": ["ATT-6.1"], "reasons": "UN embargo."}
    )
    assert proposed.status_code == 201, proposed.content
    final = supervisor.post(f"/licensing/cases/{case_id}/countersign", {"agree": True}).json()
    assert final["state"] == "refused"
    letter = officer.get(f"/licensing/cases/{case_id}/refusal.pdf")
    assert letter.status_code == 200
    shared = officer.post(f"/licensing/cases/{case_id}/denial-notice")
    assert shared.status_code == 201 and shared.json()["criteria"] == ["ATT-6.1"]
    notices = api_for(world["mx.officer"]).get("/licensing/denial-notices").json()
    assert [n["end_user_name"] for n in notices] == ["Juba Guard Services Ltd (fictional)"]
    assert set(notices[0]) == {
        "number",
        "authority",
        "end_user_name",
        "end_user_country",
        "destination_country",
        "categories",
        "criteria",
        "goods_summary",
        "issued_at",
    }
