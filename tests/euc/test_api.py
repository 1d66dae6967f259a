"""The EUC API: draft and issue (four eyes), read by serial (tenancy), record a use through the seal."""

from __future__ import annotations

import pytest

from attkit.core.permissions import Role

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_draft_then_issue_by_another_issuer(client, login, drafter, issuer, request_data):
    login(drafter)
    response = post(client, "/api/v1/euc/certificates", request_data)
    assert response.status_code == 201, response.content
    euc_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert post(client, f"/api/v1/euc/certificates/{euc_id}/issue", {}).status_code == 403
    login(issuer)
    response = post(client, f"/api/v1/euc/certificates/{euc_id}/issue", {})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "issued" and body["seal"].startswith("EUC1:")
    assert client.get(f"/api/v1/euc/certificates/{body['serial']}").json()["remaining"]["1"] == 250


def test_a_bad_request_gets_422_with_a_message_per_field(client, login, drafter, request_data):
    request_data["certificate"]["final_destination_country"] = "Mexico"
    login(drafter)
    response = post(client, "/api/v1/euc/certificates", request_data)
    assert response.status_code == 422
    assert "certificate.final_destination_country" in response.json()["detail"]


def test_spanish_messages_in_the_api(client, login, drafter, request_data):
    request_data["goods"][0]["quantity"] = 0
    login(drafter)
    response = client.post(
        "/api/v1/euc/certificates", request_data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.json()["detail"]["goods.0.quantity"] == ["Indique la cantidad como número entero mayor que cero"]


def test_another_state_cannot_read_a_certificate(client, login, issued, make_user):
    login(make_user("DE", *list(Role)))
    assert client.get(f"/api/v1/euc/certificates/{issued.serial}").status_code == 404
    assert post(client, f"/api/v1/euc/certificates/{issued.pk}/issue", {}).status_code == 404


def test_record_a_use_through_the_seal(client, login, issued, de_verifier):
    login(de_verifier)
    body = {
        "serial": issued.serial,
        "seal": issued.seal_text,
        "exporting_state": "DE",
        "exporter": "Demo Wehrtechnik GmbH (fictional)",
        "licence_reference": "DE-AG-1",
        "quantities": {"1": 200},
    }
    response = post(client, "/api/v1/euc/uses", body)
    assert response.status_code == 201, response.content
    assert response.json()["remaining"]["1"] == 50
    response = post(client, "/api/v1/euc/uses", {**body, "quantities": {"1": 51}})
    assert response.status_code == 422
    response = post(client, "/api/v1/euc/uses", {**body, "seal": "EUC1:XYZ"})
    assert response.status_code == 422
