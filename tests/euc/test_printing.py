"""The printed certificate: bilingual A4 PDF whose QR reads back and verifies, signed with PAdES."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from attkit.euc import printing, services
from attkit.euc.pdfsign import signer_for_pdf
from attkit.seals import qr, verification

pytestmark = pytest.mark.django_db

A4_POINTS = (595.3, 841.9)


def page_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_the_certificate_pdf_is_a4_bilingual_with_every_element(issued):
    pdf = printing.certificate_pdf(issued)
    document = pdfium.PdfDocument(pdf)
    width, height = document[0].get_size()
    document.close()
    assert (round(width, 1), round(height, 1)) == A4_POINTS
    text = page_text(pdf)
    for expected in (
        issued.serial,
        "CERTIFICADO DE USUARIO FINAL",
        "End-user certificate",
        "Policía Estatal de Ejemplo",
        "Demo Wehrtechnik GmbH",
        "SSP-DEMO-2026-0457",
        "930190",
        "VIII-SA-2",
        "Lic. Mariana Ejemplo Ruiz",
        issued.document_hash[:20],
    ):
        assert expected in text.replace("\r", ""), expected


def test_the_qr_on_the_pdf_reads_back_and_verifies(issued, de_verifier):
    pdf = printing.certificate_pdf(issued)
    scanned = qr.scan_pdf(pdf)
    assert issued.seal_text in scanned.texts
    result = verification.verify_file(pdf, "certificate.pdf", user=de_verifier)
    assert result.valid
    assert result.serial == issued.serial


def test_the_pdf_carries_a_valid_pades_signature_of_the_authority(issued):
    pdf = printing.certificate_pdf(issued)
    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    signature = reader.embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    signer = signer_for_pdf(issued.authority)
    root = asn1_x509.Certificate.load(signer.chain[-1].public_bytes(serialization.Encoding.DER))
    status = validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[root]),
        key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature"}),
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "MX" in status.signing_cert.subject.human_friendly


def test_a_changed_pdf_no_longer_validates(issued):
    pdf = bytearray(printing.certificate_pdf(issued))
    index = pdf.find(b"/Producer")
    assert index > 0
    pdf[index + 1] = ord("Q")
    signature = PdfFileReader(io.BytesIO(bytes(pdf))).embedded_signatures[0]
    assert not validate_pdf_signature(signature).intact


def test_a_revoked_certificate_prints_with_a_warning(issued, supervisor):
    services.revoke(issued.pk, by=supervisor, reason="Fraud")
    issued.refresh_from_db()
    text = page_text(printing.certificate_pdf(issued, sign=False))
    assert "no está en vigor" in text or "not in force" in text


def test_the_blank_model_form(tmp_path):
    pdf = printing.blank_pdf()
    text = page_text(pdf)
    assert "CERTIFICADO DE USUARIO FINAL" in text
    assert "Blank model form" in text or "Formulario modelo en blanco" in text
    assert not PdfFileReader(io.BytesIO(pdf)).embedded_signatures


def test_the_dvc_pdf_is_sealed_and_signed(issued, issuer, de_verifier):
    dvc = services.record_delivery(
        issued.pk,
        by=issuer,
        delivery_date=dt.date.today(),
        checked_by="Cap. Demo, Almacén Central",
        quantities={g.line_no: g.quantity for g in issued.goods.all()},
    )
    pdf = printing.delivery_pdf(dvc)
    assert dvc.serial in page_text(pdf)
    assert len(PdfFileReader(io.BytesIO(pdf)).embedded_signatures) == 1
    result = verification.verify_file(pdf, "dvc.pdf", user=de_verifier)
    assert result.valid and result.serial == dvc.serial
