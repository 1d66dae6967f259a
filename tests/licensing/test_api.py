"""The licensing API: 422 naming the field, 403 for a role that may not act, 404 across authorities."""

from __future__ import annotations

import pytest

from attkit.core.models import AuditEvent
from tests.licensing import world as w
from tests.licensing.api_client import api_for

pytestmark = pytest.mark.django_db


def test_a_bad_body_gets_422_naming_the_field(bare_world):
    api = api_for(bare_world["de.applicant"])
    data = w.export_application(bare_world)
    data["goods"][0]["quantity"] = "many"
    response = api.post("/licensing/cases", data)
    assert response.status_code == 422
    assert "quantity" in str(response.json()["detail"])
    data["goods"][0]["quantity"] = 0
    response = api.post("/licensing/cases", data)
    assert response.status_code == 422
    assert "goods[0].quantity" in response.json()["detail"]
    response = api.post("/licensing/cases", {**w.export_application(bare_world), "kind": "smuggling"})
    assert response.status_code == 422 and "kind" in response.json()["detail"]


def test_a_role_that_may_not_act_gets_403_and_an_audit_event(bare_world):
    case = api_for(bare_world["de.applicant"]).post("/licensing/cases", w.export_application(bare_world)).json()
    customs = api_for(bare_world["de.customs"])
    assert customs.post("/licensing/cases", w.export_application(bare_world)).status_code == 403
    response = customs.post(f"/licensing/cases/{case['id']}/decision", {"outcome": "approve", "reasons": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind="access:denied", payload__action="propose_decision").exists()


def test_another_authority_gets_404(bare_world):
    case = api_for(bare_world["de.applicant"]).post("/licensing/cases", w.export_application(bare_world)).json()
    mx = api_for(bare_world["mx.officer"])
    assert mx.get(f"/licensing/cases/{case['id']}").status_code == 404
    assert mx.post(f"/licensing/cases/{case['id']}/screening-clear").status_code == 404
    assert mx.get(f"/assessment/cases/{case['id']}").status_code == 404
    assert case["reference"] not in mx.get("/licensing/cases").content.decode()


def test_applicants_see_only_their_organisations_cases(bare_world):
    mine = api_for(bare_world["de.applicant"])
    theirs = api_for(bare_world["de.other_applicant"])
    case = mine.post("/licensing/cases", w.export_application(bare_world)).json()
    assert [c["id"] for c in mine.get("/licensing/cases").json()] == [case["id"]]
    assert theirs.get("/licensing/cases").json() == []
    assert theirs.get(f"/licensing/cases/{case['id']}").status_code == 404
    assert [c["id"] for c in api_for(bare_world["de.officer"]).get("/licensing/cases").json()] == [case["id"]]


def test_the_list_filters_by_state_kind_and_flag(world):
    api = api_for(world["de.officer"])
    w.submitted(world)
    assert len(api.get("/licensing/cases", state="screening").json()) == 1
    assert api.get("/licensing/cases", state="draft").json() == []
    assert len(api.get("/licensing/cases", kind="export", flag="screening_hits_pending").json()) == 1


def test_a_transition_refused_by_the_workflow_is_a_422_with_the_reason(bare_world):
    case = api_for(bare_world["de.applicant"]).post("/licensing/cases", w.export_application(bare_world)).json()
    response = api_for(bare_world["de.officer"]).post(f"/licensing/cases/{case['id']}/issue", {})
    assert response.status_code == 422
    assert "Possible now" in str(response.json()["detail"])


def test_applicants_do_not_see_flags_or_hits(world):
    case = w.submitted(world)
    applicant = api_for(world["de.applicant"])
    assert applicant.get(f"/licensing/cases/{case.pk}").json()["flags"] == []
    assert applicant.get(f"/licensing/cases/{case.pk}/hits").status_code == 403
    assert api_for(world["de.officer"]).get(f"/licensing/cases/{case.pk}").json()["flags"]
