"""Every licensing confirmation page and API case move, one by one: what the page says, who may open it, what a
POST does (the state, the message, where it leads, the audit record) and what an empty POST does.

These pin the behaviour that views._Confirmation / views._confirmation_view and api._case_move serve from one
table each, so that a row of those tables cannot drift from what the pages and the API promised before.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.contrib.messages import get_messages

from attkit.core.models import AuditEvent
from attkit.licensing import services
from attkit.licensing.models import CaseState, DenialNotice
from tests.licensing import world as w
from tests.licensing.api_client import api_for

pytestmark = pytest.mark.django_db


def _open(client: Any, user: Any, url: str) -> Any:
    client.force_login(user)
    return client.get(url)


def _post(client: Any, user: Any, url: str, data: dict[str, str] | None = None) -> Any:
    client.force_login(user)
    return client.post(url, data or {})


def _said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _confirmation(response: Any, title: str, consequence: str, button: str) -> None:
    assert response.status_code == 200, response.status_code
    page = _text(response)
    assert f"<title>{title} · attkit</title>" in page
    assert consequence in page and button in page
    assert 'data-testid="consequence"' in page


def _audited(case: Any, kind: str) -> int:
    return AuditEvent.objects.filter(kind=kind, target_id=str(case.pk)).count()


def _state(case: Any) -> str:
    case.refresh_from_db()
    return case.state


def _cleared_hits(world: Any, case: Any) -> None:
    for hit in case.hits.filter(status="pending"):
        services.review_hit(hit.pk, by=world["de.supervisor"], decision="false_positive", reason="Other entity.")
    for flag in case.flags.filter(severity="blocking", status="open"):
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="false_positive", reason="Checked.")


def test_screening_information_and_withdrawal_pages(world, client):
    applicant, officer = world["de.applicant"], world["de.officer"]
    case = services.create_application(by=applicant, data=w.export_application(world))
    case = services.submit(case.pk, by=applicant, start_screening=False)
    url = f"/cases/{case.pk}"

    # start screening: no form, no message, back to the case's screening part
    _confirmation(
        _open(client, officer, f"{url}/start-screening/"),
        "Start screening",
        "You take the case: review its screening hits and flags, then clear screening.",
        "Start screening",
    )
    assert _open(client, applicant, f"{url}/start-screening/").status_code == 403
    done = _post(client, officer, f"{url}/start-screening/")  # a confirmation without fields acts on any POST
    assert done.status_code == 302 and done["Location"] == f"{url}/#screening"
    assert _said(done) == []
    assert _state(case) == CaseState.SCREENING and _audited(case, "case:start_screening") == 1

    # request information: a reason form; a POST without fields changes nothing
    _confirmation(
        _open(client, officer, f"{url}/request-information/"),
        "Request information from the applicant",
        "The case clock stops until the applicant answers. Say exactly what is needed.",
        "Send the request",
    )
    assert _open(client, applicant, f"{url}/request-information/").status_code == 403
    assert _post(client, officer, f"{url}/request-information/").status_code == 200
    assert _state(case) == CaseState.SCREENING
    done = _post(client, officer, f"{url}/request-information/", {"reason": "Which police unit?"})
    assert done.status_code == 302 and done["Location"] == f"{url}/"
    assert _said(done) == ["Request sent; the clock is stopped."]
    assert _state(case) == CaseState.AWAITING_INFORMATION and _audited(case, "case:request_information") == 1
    services.provide_information(case.pk, by=applicant, response="The state police.")

    # withdraw: the applicant's; an official may not
    _confirmation(
        _open(client, applicant, f"{url}/withdraw/"),
        "Withdraw the application",
        "The authority stops working on it. You cannot take this back; you would apply again.",
        "Withdraw the application",
    )
    assert _open(client, officer, f"{url}/withdraw/").status_code == 403
    done = _post(client, applicant, f"{url}/withdraw/", {"reason": "No longer needed."})
    assert done.status_code == 302 and done["Location"] == f"{url}/"
    assert _said(done) == ["Application withdrawn."]
    assert _state(case) == CaseState.WITHDRAWN and _audited(case, "case:withdraw") == 1
    # the service's refusal is shown on the page, never a 500
    refused = _post(client, officer, f"{url}/request-information/", {"reason": "Again?"})
    assert refused.status_code == 200 and "data-error-summary" in refused.content.decode()
    assert _state(case) == CaseState.WITHDRAWN


def test_clear_screening_page_shows_the_refusal_then_clears(world, client):
    officer = world["de.officer"]
    case = w.submitted(world)
    url = f"/cases/{case.pk}/screening-clear/"
    _confirmation(
        _open(client, officer, url),
        "Clear screening",
        "The case goes to assessment, and the agencies named by the routing rules are consulted.",
        "Clear screening",
    )
    assert _open(client, world["de.applicant"], url).status_code == 403
    held = _post(client, officer, url, {"confirm": "1"})  # hits still pending: the service refuses
    assert held.status_code == 200 and "data-error-summary" in held.content.decode()
    assert _state(case) == CaseState.SCREENING
    _cleared_hits(world, case)
    done = _post(client, officer, url)
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    assert _said(done) == ["Screening cleared: the case is under assessment."]
    assert _state(case) == CaseState.UNDER_ASSESSMENT and _audited(case, "case:screening_clear") == 1


def test_issue_suspend_reinstate_and_revoke_pages(world, client):
    officer, supervisor = world["de.officer"], world["de.supervisor"]
    case = w.proposed(world)
    services.countersign(case.pk, by=supervisor, agree=True)
    url = f"/cases/{case.pk}"

    _confirmation(
        _open(client, officer, f"{url}/issue/"),
        "Issue the licence",
        "A sealed licence is printed: customs anywhere can verify it and draw shipments against it "
        "until it is exhausted, expires, or is suspended or revoked.",
        "Issue the licence",
    )
    assert _open(client, world["de.applicant"], f"{url}/issue/").status_code == 403
    assert _post(client, officer, f"{url}/issue/").status_code == 200  # no fields posted: nothing happens
    bad = _post(client, officer, f"{url}/issue/", {"valid_until": "next spring"})
    assert bad.status_code == 200 and _state(case) == CaseState.APPROVED
    done = _post(client, officer, f"{url}/issue/", {"valid_until": ""})
    assert done.status_code == 302 and done["Location"] == f"{url}/"
    assert _said(done) == ["Licence issued and sealed."]
    assert _state(case) == CaseState.LICENCE_ISSUED and _audited(case, "licence:issue") == 1

    steps = [
        (
            "suspend",
            "Suspend the licence",
            "Customs will refuse shipments under this licence, and its verification will say so, until it is "
            "reinstated (Art. 7(7)).",
            "Suspend the licence",
            "Licence suspended.",
            CaseState.SUSPENDED,
        ),
        (
            "reinstate",
            "Reinstate the licence",
            "Shipments can be recorded against the licence again.",
            "Reinstate the licence",
            "Licence reinstated.",
            CaseState.LICENCE_ISSUED,
        ),
        (
            "revoke",
            "Revoke the licence",
            "The licence ends for good (Art. 7(7)); its seal is published as revoked to every verifier. "
            "This cannot be undone.",
            "Revoke the licence",
            "Licence revoked.",
            CaseState.REVOKED,
        ),
    ]
    for action, title, consequence, button, message, state in steps:
        _confirmation(_open(client, supervisor, f"{url}/{action}/"), title, consequence, button)
        assert _open(client, officer, f"{url}/{action}/").status_code == 403
        before = _state(case)
        missing = _post(client, supervisor, f"{url}/{action}/", {"reason": ""})
        assert "Give a reason" in _text(missing) and _state(case) == before
        done = _post(client, supervisor, f"{url}/{action}/", {"reason": "New information."})
        assert done.status_code == 302 and done["Location"] == f"{url}/"
        assert _said(done) == [message]
        assert _state(case) == state and _audited(case, f"licence:{action}") == 1


def test_share_denial_page(bare_world, client):
    world = bare_world
    officer = world["de.officer"]
    case = w.submitted(world, w.embargoed_application())
    for flag in case.flags.filter(severity="blocking"):
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="confirmed", reason="Confirmed.")
    services.screening_clear(case.pk, by=officer)
    w.assessed(world, case, gates_yes=("art6.1.destination",))
    services.propose_decision(case.pk, by=officer, outcome="refuse", criteria=["ATT-6.1"], reasons="Embargo.")
    url = f"/cases/{case.pk}/denial-notice/"
    held = _post(client, officer, url)  # not refused yet: the service says so on the page
    assert held.status_code == 200 and "data-error-summary" in held.content.decode()
    services.countersign(case.pk, by=world["de.supervisor"], agree=True)

    _confirmation(
        _open(client, officer, url),
        "Share a denial notice",
        "Every authority on the hub will see the end user, the destination, the categories and the criteria "
        "of this refusal (never the rest of the case); their later applications for the same end user are "
        "flagged.",
        "Share the denial notice",
    )
    assert _open(client, world["de.supervisor"], url).status_code == 200  # deciding or countersigning will do
    assert _open(client, world["de.applicant"], url).status_code == 403
    assert _open(client, world["mx.applicant"], url).status_code == 404  # the case is looked up first
    done = _post(client, officer, url)
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    notice = DenialNotice.objects.get(case=case)
    assert _said(done) == [f"Denial notice {notice.number} shared."]
    assert AuditEvent.objects.filter(kind="denial:share").count() == 1


def test_case_moves_through_the_api(world):
    applicant, officer, supervisor = (api_for(world[k]) for k in ("de.applicant", "de.officer", "de.supervisor"))
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    base = f"/licensing/cases/{case.pk}"
    submitted = applicant.post(f"{base}/submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == "screening"
    assert officer.post(f"{base}/withdraw", {"reason": "x"}).status_code == 403  # the applicant's move
    asked = officer.post(f"{base}/request-information", {"reason": "Which unit?"})
    assert asked.status_code == 200 and asked.json()["state"] == "awaiting_information"
    answered = applicant.post(f"{base}/provide-information", {"response": "The state police."})
    assert answered.status_code == 200 and answered.json()["state"] == "screening"
    assert _audited(case, "case:information_provided") == 1
    refused = officer.post(f"{base}/screening-clear")
    assert refused.status_code == 422 and refused.json()["detail"]
    withdrawn = applicant.post(f"{base}/withdraw", {"reason": "No longer needed."})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert applicant.post(f"{base}/withdraw", {"reason": "Again."}).status_code == 422

    other = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    other = services.submit(other.pk, by=world["de.applicant"], start_screening=False)
    started = officer.post(f"/licensing/cases/{other.pk}/start-screening")
    assert started.status_code == 200 and started.json()["state"] == "screening"
    assert api_for(world["mx.officer"]).post(f"/licensing/cases/{other.pk}/start-screening").status_code == 404

    issued = w.issued(world)
    base = f"/licensing/cases/{issued.pk}"
    assert supervisor.post(f"{base}/suspend", {"reason": ""}).status_code == 422
    assert officer.post(f"{base}/suspend", {"reason": "x"}).status_code == 403
    for action, state in (("suspend", "suspended"), ("reinstate", "licence_issued"), ("revoke", "revoked")):
        moved = supervisor.post(f"{base}/{action}", {"reason": "New information."})
        assert moved.status_code == 200 and moved.json()["state"] == state
        assert moved.json()["reference"] == issued.reference


MOVES = {
    # path: (operationId, request body schema or None)
    "submit": ("attkit_licensing_api_submit", None),
    "start-screening": ("attkit_licensing_api_start_screening", None),
    "withdraw": ("attkit_licensing_api_withdraw", "ReasonIn"),
    "request-information": ("attkit_licensing_api_request_information", "ReasonIn"),
    "provide-information": ("attkit_licensing_api_provide_information", "ResponseIn"),
    "screening-clear": ("attkit_licensing_api_screening_clear", None),
    "countersign": ("attkit_licensing_api_countersign", "CountersignIn"),
    "issue": ("attkit_licensing_api_issue", "IssueIn"),
    "suspend": ("attkit_licensing_api_suspend", "ReasonIn"),
    "reinstate": ("attkit_licensing_api_reinstate", "ReasonIn"),
    "revoke": ("attkit_licensing_api_revoke", "ReasonIn"),
}


def test_the_case_moves_keep_their_place_in_the_openapi_schema():
    from attkit.core.api import api

    paths = api.get_openapi_schema()["paths"]
    for path, (operation_id, body) in MOVES.items():
        operation = paths[f"/api/v1/licensing/cases/{{case_id}}/{path}"]["post"]
        assert operation["operationId"] == operation_id
        assert {200, 403, 422} <= set(operation["responses"])
        assert operation["responses"][200]["content"]["application/json"]["schema"]["$ref"].endswith("/CaseOut")
        if body is None:
            assert "requestBody" not in operation
        else:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith(f"/{body}")
