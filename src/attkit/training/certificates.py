"""The certificate of completion: a bilingual A4 PDF with the CRT1: seal as a QR code, and its registry status."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attkit.training import course

if TYPE_CHECKING:
    from attkit.seals import codec
    from attkit.seals.verification import RegistryStatus, VerificationContext
    from attkit.training.models import Certificate

CSS_PATH = Path(__file__).resolve().parent / "static" / "training" / "certificate.css"
LANGS = ("es", "en")

TEXT: dict[str, Promise] = {
    "title": gettext_lazy("Certificate of completion"),
    "course": gettext_lazy("Arms Trade Treaty implementation course"),
    "certifies": gettext_lazy("This certifies that"),
    "completed": gettext_lazy(
        "completed the course: read its lessons, passed the quiz of every module and decided simulation cases."
    ),
    "cohort": gettext_lazy("Cohort"),
    "number": gettext_lazy("Certificate number"),
    "date": gettext_lazy("Date of issue"),
    "modules": gettext_lazy("Modules"),
    "issuer": gettext_lazy("Issued by"),
    "seal": gettext_lazy("Seal"),
    "verify": gettext_lazy(
        "Verify this certificate: upload this PDF or paste the QR code's text on attkit's verification page "
        "(Verify a certificate), or run: attkit seal verify --prefix CRT1: --cert <signer certificate>."
    ),
    "revoked": gettext_lazy("This certificate has been revoked"),
}


def bi(label: Promise | str) -> dict[str, str]:
    out = {}
    for lang in LANGS:
        with translation.override(lang):
            out[lang] = str(label)
    return out


def qr_data_uri(text: str) -> str:
    from attkit.seals import qr

    image = qr.make_qr(text, kind="svg", scale=4, border=4)
    return "data:image/svg+xml;base64," + base64.b64encode(image.data).decode("ascii")


def pdf_context(certificate: Certificate) -> dict[str, Any]:
    titles = {lang: {m.id: m.title for m in course.course(lang).modules} for lang in LANGS}
    return {
        "certificate": certificate,
        "T": {key: bi(value) for key, value in TEXT.items()},
        "authority": {"es": certificate.authority.name_es, "en": certificate.authority.name_en},
        "modules": [
            {"id": mid, "es": titles["es"].get(mid, mid), "en": titles["en"].get(mid, mid)}
            for mid in certificate.modules
        ],
        "qr": qr_data_uri(certificate.seal_text),
    }


def render_pdf(certificate: Certificate) -> bytes:
    from attkit.core import pdf

    with translation.override("es"):
        html = render_to_string("training/print/certificate.html", pdf_context(certificate))
    return pdf.render_pdf(html, base_url=CSS_PATH.parent, css_file=CSS_PATH)


def registry_status(result: codec.VerifyResult, context: VerificationContext) -> RegistryStatus | None:
    """What the issuing sandbox's register knows of a CRT1: seal: issued or revoked, and to whom."""
    from attkit.seals.verification import RegistryStatus, Verdict
    from attkit.training.models import Certificate

    if not context.serial or not context.issuer:
        return None
    certificate = (
        Certificate.objects.filter(number=context.serial, authority__code=context.issuer)
        .select_related("authority")
        .first()
    )
    if certificate is None:
        return None
    data: dict[str, Any] = {
        "status": certificate.status,
        "trainee": certificate.trainee_name,
        "cohort": certificate.cohort_name,
        "issued_on": certificate.issued_on.isoformat(),
    }
    if certificate.is_revoked:
        data["revoked_on"] = certificate.revoked_at.date().isoformat() if certificate.revoked_at else None
        return RegistryStatus(
            verdict=Verdict.REVOKED,
            reasons=(_("The register shows this certificate of completion as revoked."),),
            data=data,
        )
    return RegistryStatus(
        reasons=(_("The register shows this certificate of completion as issued."),),
        data=data,
    )


def register() -> None:
    from attkit.seals import verification

    # Course certificates are real documents issued by the sandbox that runs the course: every verifier
    # trusts the sandbox's signers for CRT1: seals (and for nothing else).
    verification.register_document_kind("CRT1:", registry_status, issued_in_sandbox=True)
