"""Certificates of completion: eligibility, the bilingual PDF with a CRT1: seal that reads back and verifies."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from attkit.core.permissions import Role
from attkit.seals import qr, verification
from attkit.seals.models import CertificateRole, SignerCertificate
from attkit.training import certificates, services
from attkit.training.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduate(trainee, cohort, pass_all_quizzes, pass_a_case):
    pass_all_quizzes(trainee)
    pass_a_case(trainee)
    return trainee


def test_a_certificate_needs_every_quiz_and_a_simulation(trainee, cohort, pass_all_quizzes, pass_a_case):
    with pytest.raises(ValidationError):
        services.issue_certificate(by=trainee)
    pass_all_quizzes(trainee)
    with pytest.raises(ValidationError):
        services.issue_certificate(by=trainee)
    pass_a_case(trainee)
    cert = services.issue_certificate(by=trainee)
    assert cert.number.startswith("XT-CRT-")
    assert cert.cohort_name == "Costa Rica 2026"
    assert cert.trainee_name == "Ana Ruiz"
    assert len(cert.modules) == 8
    assert services.issue_certificate(by=trainee).pk == cert.pk  # idempotent


def test_a_failed_case_does_not_count(trainee, cohort, pass_all_quizzes):
    pass_all_quizzes(trainee)
    run = services.start_simulation("case-03-reused-euc", by=trainee)
    services.submit_simulation(run.pk, by=trainee, decision="approve", criteria=["11"], reasons="Looks fine.")
    with pytest.raises(ValidationError):
        services.issue_certificate(by=trainee)


def test_the_pdf_carries_a_qr_seal_that_reads_back_and_verifies(graduate, xt, make_user):
    cert = services.issue_certificate(by=graduate)
    pdf = certificates.render_pdf(cert)
    assert pdf.startswith(b"%PDF-")
    scanned = qr.scan_pdf(pdf)
    assert scanned.texts == [cert.seal_text]
    assert cert.seal_text.startswith("CRT1:")
    verifier = make_user(xt, Role.EUC_VERIFIER)
    result = verification.verify_text(scanned.texts[0], user=verifier)
    assert result.verdict is verification.Verdict.VALID, result.reasons
    assert result.certificate["n"] == cert.number
    assert result.certificate["t"] == "Ana Ruiz"
    assert result.certificate["c"] == "Costa Rica 2026"
    assert result.registry["status"] == "issued"
    # the same file on the verification page (upload)
    client = Client()
    client.force_login(verifier)
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        "/seals/verify/",
        {"way": "upload", "upload-file": SimpleUploadedFile("certificate.pdf", pdf, "application/pdf")},
    )
    assert 'data-verdict="valid"' in page.content.decode()


def test_a_revoked_certificate_verifies_as_revoked(graduate, instructor, xt):
    cert = services.issue_certificate(by=graduate)
    with pytest.raises(PermissionDenied):
        services.revoke_certificate(cert.pk, by=graduate, reason="mine")
    services.revoke_certificate(cert.pk, by=instructor, reason="Identity could not be confirmed.")
    result = verification.verify_text(cert.seal_text, authority=xt)
    assert result.verdict is verification.Verdict.REVOKED
    assert result.registry["status"] == "revoked"
    # offline, the revoked serial (published in the trust list) still says so
    offline = verification.verify_text(cert.seal_text, authority=xt, online=False)
    assert offline.verdict is verification.Verdict.REVOKED


def test_a_real_authority_verifies_a_course_certificate_but_no_other_sandbox_seal(graduate, xt, instructor, make_user):
    """A certificate of completion is a real document: a real state's official verifies it (and sees a
    revocation); the sandbox's signers are trusted for CRT1: only, so a practice EUC stays unknown."""
    from attkit.seals import services as seal_services

    cert = services.issue_certificate(by=graduate)
    official = make_user("MX", Role.EUC_VERIFIER)
    result = verification.verify_text(cert.seal_text, user=official)
    assert result.verdict is verification.Verdict.VALID, result.reasons
    assert result.registry is not None and result.registry["status"] == "issued"
    practice_euc = seal_services.seal(xt, "EUC1:", {"serial": "XT-PRACTICE-1"}, expires_at=None)
    assert verification.verify_text(practice_euc, user=official).verdict is verification.Verdict.UNKNOWN_SIGNER
    assert verification.verify_text(practice_euc, user=official, prefixes=["CRT1:", "EUC1:"]).verdict is (
        verification.Verdict.UNKNOWN_SIGNER
    )
    services.revoke_certificate(cert.pk, by=instructor, reason="Identity could not be confirmed.")
    assert verification.verify_text(cert.seal_text, user=official).verdict is verification.Verdict.REVOKED
    assert verification.verify_text(cert.seal_text, user=official, online=False).verdict is (
        verification.Verdict.REVOKED
    )


def test_attkit_seal_verify_with_the_signer_certificate(graduate, xt, tmp_path: Path):
    cert = services.issue_certificate(by=graduate)
    signer = SignerCertificate.objects.get(authority=xt, role=CertificateRole.SIGNER)
    pem = tmp_path / "xt-signer.der"
    pem.write_bytes(signer.der())
    out = StringIO()
    call_command("seal", "verify", "--prefix", "CRT1:", "--cert", str(pem), "--json", cert.seal_text, stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["verdict"] == "valid"
    assert answer["certificate"]["n"] == cert.number
    with pytest.raises(SystemExit) as refused:
        call_command("seal", "verify", "--prefix", "EUC1:", "--cert", str(pem), cert.seal_text, stdout=StringIO())
    assert refused.value.code == 1


def test_certificate_pages(graduate, instructor):
    client = Client()
    client.force_login(graduate)
    response = client.post("/training/certificate/")
    assert response.status_code == 302
    cert = Certificate.objects.get(trainee=graduate)
    assert response["Location"] == f"/training/certificates/{cert.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert cert.number in page and cert.seal_text in page
    pdf = client.get(f"/training/certificates/{cert.pk}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get("/training/certificate/").status_code == 302  # straight to the certificate
    assert client.get(f"/training/certificates/{cert.pk}/revoke/").status_code == 403
    teacher = Client()
    teacher.force_login(instructor)
    assert teacher.post(f"/training/certificates/{cert.pk}/revoke/", {}).status_code == 400
    done = teacher.post(f"/training/certificates/{cert.pk}/revoke/", {"reason": "Issued in error."})
    assert done.status_code == 302
    cert.refresh_from_db()
    assert cert.is_revoked


def test_not_yet_eligible_page_lists_what_is_missing(trainee, cohort):
    client = Client()
    client.force_login(trainee)
    page = client.get("/training/certificate/")
    assert page.status_code == 200
    assert 'data-testid="issue-certificate"' not in page.content.decode()
    refused = client.post("/training/certificate/")
    assert refused.status_code == 400


def test_the_signer_certificate_from_the_sandbox_trust_list_verifies_it(graduate, tmp_path: Path):
    cert = services.issue_certificate(by=graduate)
    out = tmp_path / "xt.json"
    call_command("trust", "export", "--authority", "XT", "--out", str(out), stdout=StringIO(), stderr=StringIO())
    signer = tmp_path / "xt-signer.b64"
    signer.write_text(json.loads(out.read_text())["signers"][0]["certificate"])
    answer = StringIO()
    call_command("seal", "verify", "--prefix", "CRT1:", "--cert", str(signer), "--json", cert.seal_text, stdout=answer)
    assert json.loads(answer.getvalue())["verdict"] == "valid"
