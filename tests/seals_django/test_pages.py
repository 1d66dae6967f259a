"""The verification page (paste, upload, camera script) and key management pages, in English and Spanish."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from attkit.core.permissions import Role
from attkit.seals import services
from attkit.seals.models import CertificateStatus, ImportedTrustList
from tests.core.test_i18n import english_words

from .helpers import foreign_state, qr_pdf, qr_png, tamper

pytestmark = pytest.mark.django_db

VERIFY = "/seals/verify/"


@pytest.fixture
def mx_seal(authority: Any) -> str:
    return services.seal(
        authority("MX"),
        "EUC1:",
        {"serial": "MX-EUC-2026-000123-4", "eu": "SEDENA"},
        expires_at=timezone.now() + timedelta(days=60),
        serial="MX-EUC-2026-000123-4",
    )


def main_words(html: str) -> set[str]:
    """English words in the page's main content (navigation entries of other apps are their catalogs' business)."""
    start, end = html.index("<main"), html.index("</main>")
    return english_words(html[start:end])


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_verify_page_offers_three_ways_without_inline_script(verifier):
    response = _client(verifier("DE")).get(VERIFY)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="upload-file"' in html and 'name="paste-text"' in html and 'id="camera"' in html
    assert "seals/verify.js" in html
    assert "<script>" not in html and " onclick=" not in html and ' style="' not in html


def test_paste_a_valid_seal(mx_seal, verifier):
    response = _client(verifier("DE")).post(VERIFY, {"way": "paste", "paste-text": mx_seal})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="valid"' in html and "attkit-verdict--valid" in html
    assert "MX-EUC-2026-000123-4" in html and "SEDENA" in html


def test_paste_a_forgery_shows_a_red_panel_and_what_to_do(mx_seal, verifier):
    html = _client(verifier("DE")).post(VERIFY, {"way": "paste", "paste-text": tamper(mx_seal)}).content.decode()
    assert 'data-verdict="invalid_signature"' in html and "attkit-verdict--invalid" in html
    assert "attkit-verdict--valid" not in html
    assert "Do not accept this certificate; contact the issuing authority." in html
    assert "nothing it contains can be trusted" in html


def test_upload_a_pdf_and_a_png(mx_seal, verifier):
    client = _client(verifier("DE"))
    pdf = SimpleUploadedFile("euc.pdf", qr_pdf(mx_seal), content_type="application/pdf")
    assert 'data-verdict="valid"' in client.post(VERIFY, {"way": "upload", "upload-file": pdf}).content.decode()
    png = SimpleUploadedFile("photo.png", qr_png(mx_seal), content_type="image/png")
    assert 'data-verdict="valid"' in client.post(VERIFY, {"way": "upload", "upload-file": png}).content.decode()


def test_upload_a_pdf_without_a_seal(verifier):
    pdf = SimpleUploadedFile("blank.pdf", qr_pdf(None), content_type="application/pdf")
    html = _client(verifier("DE")).post(VERIFY, {"way": "upload", "upload-file": pdf}).content.decode()
    assert 'data-verdict="no_seal_found"' in html and "attkit-verdict--warning" in html


def test_empty_forms_show_errors(verifier):
    client = _client(verifier("DE"))
    response = client.post(VERIFY, {"way": "paste", "paste-text": ""})
    assert response.status_code == 400 and "Paste the text of the QR code." in response.content.decode()
    response = client.post(VERIFY, {"way": "upload"})
    assert response.status_code == 400 and "Choose a file to upload." in response.content.decode()


def test_verify_page_in_spanish(mx_seal, verifier):
    client = _client(verifier("DE"), "es")
    page = client.get(VERIFY).content.decode()
    assert "Verificar un certificado" in page
    assert not main_words(page), main_words(page)
    valid = client.post(VERIFY, {"way": "paste", "paste-text": mx_seal}).content.decode()
    assert "Válido" in valid and not main_words(valid), main_words(valid)
    forged = client.post(VERIFY, {"way": "paste", "paste-text": tamper(mx_seal)}).content.decode()
    assert "No aceptar" in forged or "No acepte" in forged
    assert not main_words(forged), main_words(forged)
    pdf = SimpleUploadedFile("euc.pdf", qr_pdf(None), content_type="application/pdf")
    blank = client.post(VERIFY, {"way": "upload", "upload-file": pdf}).content.decode()
    assert not main_words(blank), main_words(blank)


def test_applicants_and_anonymous_users_cannot_verify(make_user, client):
    assert client.get(VERIFY).status_code == 302
    assert _client(make_user("DE", Role.APPLICANT)).get(VERIFY).status_code == 403


def test_an_official_of_another_state_verifies_but_cannot_manage_its_keys(mx_seal, authority, verifier, admin_of):
    de_official = _client(verifier("DE"))
    assert 'data-verdict="valid"' in de_official.post(VERIFY, {"way": "paste", "paste-text": mx_seal}).content.decode()
    assert de_official.get("/seals/keys/").status_code == 403
    mx_signer = services.active_signer(authority("MX"))
    assert mx_signer is not None
    de_admin = _client(admin_of("DE"))
    keys_page = de_admin.get("/seals/keys/").content.decode()
    assert mx_signer.kid not in keys_page
    assert de_admin.get(f"/seals/keys/{mx_signer.pk}/revoke/").status_code == 404
    assert de_admin.post(f"/seals/keys/{mx_signer.pk}/revoke/", {"reason": "x", "confirm": "on"}).status_code == 404
    mx_signer.refresh_from_db()
    assert mx_signer.status == CertificateStatus.ACTIVE


def test_keys_page_shows_root_fingerprint_and_signers(authority, admin_of):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    root = services.active_root(mx)
    assert root is not None
    html = _client(admin_of("MX")).get("/seals/keys/").content.decode()
    assert root.fingerprint in html and signer.kid in html


def test_rotate_asks_for_confirmation_then_rotates(authority, admin_of):
    mx = authority("MX")
    old = services.ensure_authority_keys(mx)
    client = _client(admin_of("MX"))
    page = client.get("/seals/keys/rotate/").content.decode()
    assert old.kid in page and "retired" in page
    assert client.post("/seals/keys/rotate/", {}).status_code == 200  # not confirmed: the form again
    assert services.active_signer(mx).pk == old.pk  # type: ignore[union-attr]
    response = client.post("/seals/keys/rotate/", {"confirm": "on"})
    assert response.status_code == 302
    assert services.active_signer(mx).pk != old.pk  # type: ignore[union-attr]


def test_revoke_a_signer_needs_a_reason(authority, admin_of):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    client = _client(admin_of("MX"))
    url = f"/seals/keys/{signer.pk}/revoke/"
    assert "cannot be undone" in client.get(url).content.decode()
    assert client.post(url, {"confirm": "on"}).status_code == 200
    assert client.post(url, {"confirm": "on", "reason": "key copied"}).status_code == 302
    signer.refresh_from_db()
    assert signer.status == CertificateStatus.REVOKED


def test_export_downloads_the_signed_list(authority, admin_of):
    response = _client(admin_of("MX")).post("/seals/trust-list/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attkit-trust-list-MX.json" in response["Content-Disposition"]
    assert b'"signature"' in response.content
    assert _client(admin_of("MX")).get("/seals/trust-list/export/").status_code == 405


def test_import_page_with_and_without_fingerprint(authority, admin_of):
    authority("DE")
    co = foreign_state("CO")
    client = _client(admin_of("DE"))
    upload = SimpleUploadedFile("co.json", co.trust_list(), content_type="application/json")
    response = client.post("/seals/trust-lists/import/", {"file": upload, "fingerprint": "00" * 32})
    assert response.status_code == 200 and "does not match" in response.content.decode()
    upload = SimpleUploadedFile("co.json", co.trust_list(), content_type="application/json")
    response = client.post("/seals/trust-lists/import/", {"file": upload, "fingerprint": co.fingerprint})
    assert response.status_code == 302
    assert ImportedTrustList.objects.get(issuer_code="CO").pinned
    keys = client.get("/seals/keys/").content.decode()
    assert co.fingerprint in keys


def test_import_page_refuses_a_tampered_file(authority, admin_of):
    authority("DE")
    co = foreign_state("CO")
    data = co.trust_list().replace(b'"active"', b'"retired"')
    upload = SimpleUploadedFile("co.json", data, content_type="application/json")
    response = _client(admin_of("DE")).post(
        "/seals/trust-lists/import/", {"file": upload, "fingerprint": co.fingerprint}
    )
    assert response.status_code == 200 and "does not verify" in response.content.decode()
    assert not ImportedTrustList.objects.exists()


def test_management_pages_in_spanish(authority, admin_of):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    co = foreign_state("CO")
    services.import_trust_list(co.trust_list(), into=mx, by=None)
    client = _client(admin_of("MX"), "es")
    for url in (
        "/seals/keys/",
        "/seals/keys/rotate/",
        f"/seals/keys/{signer.pk}/revoke/",
        "/seals/trust-lists/import/",
    ):
        html = client.get(url).content.decode()
        assert not main_words(html), (url, main_words(html))
    html = client.post("/seals/keys/rotate/", {}).content.decode()
    assert not main_words(html), main_words(html)


def test_navigation_offers_verification_to_officials(verifier, admin_of):
    assert "/seals/verify/" in _client(verifier("DE")).get("/").content.decode()
    home = _client(admin_of("DE")).get("/").content.decode()
    assert "/seals/keys/" in home
