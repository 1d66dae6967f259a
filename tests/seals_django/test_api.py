"""The seals API: verify (JSON or file), this authority's trust list, importing another's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from attkit.core.permissions import Role
from attkit.seals import services, trustlist

from .helpers import foreign_state, qr_pdf, qr_png, tamper

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mx_seal(authority: Any) -> str:
    return services.seal(authority("MX"), "EUC1:", {"serial": "MX-9"}, expires_at=None, serial="MX-9")


def test_verify_json(mx_seal, verifier):
    response = _client(verifier("DE")).post("/api/v1/seals/verify", {"text": mx_seal}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "valid" and body["seal"] == mx_seal
    assert body["certificate"] == {"serial": "MX-9"} and body["issuer"] == "MX" and body["kid"]
    assert body["reasons"] == [] and "registry" in body


def test_verify_json_forgery_is_a_verdict_not_an_error(mx_seal, verifier):
    response = _client(verifier("DE")).post(
        "/api/v1/seals/verify", {"text": tamper(mx_seal)}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["verdict"] == "invalid_signature"


def test_verify_file(mx_seal, verifier):
    client = _client(verifier("DE"))
    for name, data in (("a.pdf", qr_pdf(mx_seal)), ("a.png", qr_png(mx_seal))):
        response = client.post("/api/v1/seals/verify", {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 200 and response.json()["verdict"] == "valid", response.content
    response = client.post("/api/v1/seals/verify", {"file": SimpleUploadedFile("b.pdf", qr_pdf(None))})
    assert response.json()["verdict"] == "no_seal_found"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not json", "application/json"),
        (b"[1]", "application/json"),
        (b'{"text": 5}', "application/json"),
        (b"{}", "application/json"),
    ],
)
def test_verify_bad_requests_are_422(body, content_type, verifier):
    response = _client(verifier("DE")).post("/api/v1/seals/verify", body, content_type=content_type)
    assert response.status_code == 422


def test_verify_needs_permission(mx_seal, make_user, client):
    assert client.post("/api/v1/seals/verify", {"text": mx_seal}, content_type="application/json").status_code == 401
    applicant = _client(make_user("DE", Role.APPLICANT))
    assert applicant.post("/api/v1/seals/verify", {"text": mx_seal}, content_type="application/json").status_code == 403


def test_trust_list_of_this_authority(authority, admin_of, verifier):
    mx = authority("MX")
    response = _client(admin_of("MX")).get("/api/v1/seals/trust-list")
    assert response.status_code == 200
    root = services.active_root(mx)
    assert root is not None
    assert trustlist.parse_trust_list(response.content, services.certificate_of(root)).authority == "MX"
    assert _client(verifier("MX")).get("/api/v1/seals/trust-list").status_code == 403


def test_import_trust_list_json_and_multipart(authority, admin_of):
    authority("DE")
    co = foreign_state("CO")
    client = _client(admin_of("DE"))
    response = client.post(
        "/api/v1/seals/trust-lists",
        {"trust_list": json.loads(co.trust_list()), "fingerprint": co.fingerprint},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["pinned"] is True and response.json()["issuer"] == "CO"
    nl = foreign_state("NL")
    response = client.post("/api/v1/seals/trust-lists", {"file": SimpleUploadedFile("nl.json", nl.trust_list())})
    assert response.status_code == 201 and response.json()["pinned"] is False
    listed = client.get("/api/v1/seals/trust-lists").json()
    assert {row["issuer"] for row in listed} == {"CO", "NL"}


def test_import_trust_list_refusals(authority, admin_of, verifier):
    authority("DE")
    co = foreign_state("CO")
    client = _client(admin_of("DE"))
    tampered = co.trust_list().replace(b'"active"', b'"retired"')
    response = client.post(
        "/api/v1/seals/trust-lists", {"trust_list": tampered.decode()}, content_type="application/json"
    )
    assert response.status_code == 422
    response = client.post("/api/v1/seals/trust-lists", {"x": 1}, content_type="application/json")
    assert response.status_code == 422
    response = _client(verifier("DE")).post(
        "/api/v1/seals/trust-lists", {"trust_list": co.trust_list().decode()}, content_type="application/json"
    )
    assert response.status_code == 403
