"""Printable, bilingual (es/en) A4 certificates: the EUC, the DVC and the blank model form (WeasyPrint).

Issued documents carry the seal as a QR code (segno, SVG) and the file itself is signed (PAdES, pyHanko)
with the authority's document-signer certificate.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrPromise

from attkit.euc import model_v1
from attkit.euc.categories import SALW_LINES, UN_CATEGORIES, UNITS
from attkit.euc.countries import country_name
from attkit.euc.model_v1 import PARTY_ROLE_LABELS, PartyRole

if TYPE_CHECKING:
    from attkit.euc.models import DeliveryVerification, EndUserCertificate

CSS_PATH = Path(__file__).resolve().parent / "static" / "euc" / "print.css"
LANGS = ("es", "en")

TEXT: dict[str, StrPromise] = {
    "title": _("End-user certificate"),
    "dvc_title": _("Delivery verification certificate"),
    "model": _("Model end-user certificate, version 1"),
    "blank": _("Blank model form: to be completed by the issuing authority"),
    "identity": _("Identification"),
    "parties": _("Parties"),
    "goods": _("Goods"),
    "end_use": _("End use"),
    "undertakings": _("Undertakings of the end user"),
    "certification": _("Certification by the government"),
    "signatures": _("Signatures"),
    "line": _("Line"),
    "category": _("Category"),
    "end_user_signature": _("Signature of the end user"),
    "official_signature": _("Signature and stamp of the issuing official"),
    "date_place": _("Place and date"),
    "sealed": _("Signed electronically and sealed: the QR code carries the seal of the issuing authority."),
    "verify": _(
        "Verify this document: scan the QR code with attkit (attkit euc verify), or ask the issuing authority."
    ),
    "hash": _("Document hash (SHA-256)"),
    "signer": _("Document signer"),
    "page": _("Page"),
    "yes": _("Yes"),
    "no": _("No"),
    "not_in_force": _("This certificate is not in force"),
    "status": _("Status"),
    "received": _("Quantity received"),
    "ordered": _("Quantity on the certificate"),
    "delivery_date": _("Date of delivery"),
    "checked_by": _("Checked by (name and title)"),
    "discrepancies": _("Discrepancies"),
    "none": pgettext_lazy("discrepancies", "None"),
    "certificate": _("End-user certificate"),
    "dvc_statement": _(
        "The importing authority certifies that the goods listed below were delivered to the end user named in "
        "the end-user certificate and checked on arrival."
    ),
    "supersedes": _("Supersedes certificate"),
    "seal": _("Seal"),
    "optional": _("optional"),
    "value": _("Value"),
}


def bi(label: StrPromise | str) -> dict[str, str]:
    """The label in Spanish and English."""
    out = {}
    for lang in LANGS:
        with translation.override(lang):
            out[lang] = str(label)
    return out


def _bi_all(labels: dict[str, StrPromise]) -> dict[str, dict[str, str]]:
    return {key: bi(value) for key, value in labels.items()}


def _element_labels() -> dict[str, dict[str, str]]:
    elements: Iterable[model_v1.Element] = (*model_v1.IDENTITY, *model_v1.DETAILS, *model_v1.END_USE)
    labels = {e.name: bi(e.label) for e in elements}
    labels.update({f"party_{e.name}": bi(e.label) for e in model_v1.PARTY})
    labels.update({f"goods_{e.name}": bi(e.label) for e in model_v1.GOODS_LINE})
    labels.update({f"role_{r.value}": bi(PARTY_ROLE_LABELS[r]) for r in PartyRole})
    return labels


def qr_svg_data_uri(text: str) -> str:
    """The seal as a QR code (alphanumeric mode, error correction Q, as seals draws it), as an SVG data URI."""
    from attkit.seals.qr import make_qr

    image = make_qr(text, kind="svg", scale=4, border=4)
    return "data:image/svg+xml;base64," + base64.b64encode(image.data).decode("ascii")


def _authority_names(authority: Any) -> dict[str, str]:
    return {"es": authority.name_es, "en": authority.name_en}


def _render(template: str, context: dict[str, Any]) -> bytes:
    from attkit.core import pdf

    with translation.override("es"):
        html = render_to_string(template, context)
    return pdf.render_pdf(html, base_url=CSS_PATH.parent, css_file=CSS_PATH)


def _party_rows(euc: EndUserCertificate) -> list[dict[str, Any]]:
    return [
        {
            "role": p.role,
            "name": p.name,
            "business_name": p.business_name,
            "position": p.position,
            "address": p.address,
            "country": p.country,
            "country_es": country_name(p.country, "es"),
            "country_en": country_name(p.country, "en"),
        }
        for p in euc.parties.all()
    ]


def _goods_rows(euc: EndUserCertificate) -> list[dict[str, Any]]:
    rows = []
    for g in euc.goods.all():
        rows.append(
            {
                "line_no": g.line_no,
                "description": g.description,
                "model": g.model,
                "calibre": g.calibre,
                "category": g.category_code,
                "category_label": bi(UN_CATEGORIES.get(g.un_category, g.un_category)),
                "salw_label": bi(SALW_LINES[g.salw_line]) if g.salw_line in SALW_LINES else None,
                "national_category": g.national_category,
                "hs_code": g.hs_code,
                "quantity": g.quantity,
                "unit": bi(UNITS.get(g.unit, g.unit)),
                "value": g.value,
                "currency": g.currency,
            }
        )
    return rows


def certificate_context(euc: EndUserCertificate) -> dict[str, Any]:
    from attkit.euc.models import STATUS_LABELS

    signer_kid = ""
    if euc.seal_text:
        signer_kid = _seal_kid(euc.seal_text)
    status = euc.effective_status()
    return {
        "blank": False,
        "euc": euc,
        "T": _bi_all(TEXT),
        "E": _element_labels(),
        "authority": _authority_names(euc.authority),
        "destination": {
            "es": country_name(euc.final_destination_country, "es"),
            "en": country_name(euc.final_destination_country, "en"),
        },
        "parties": _party_rows(euc),
        "goods": _goods_rows(euc),
        "qr": qr_svg_data_uri(euc.seal_text) if euc.seal_text else "",
        "signer_kid": signer_kid,
        "in_force": status.value in ("issued", "partially_used", "used", "closed"),
        "status": bi(STATUS_LABELS.get(status.value, status.value)),
        "undertakings": [
            (name, bool(getattr(euc, name)), next(e for e in model_v1.END_USE if e.name == name).mandatory)
            for name in (
                "no_other_use",
                "no_reexport_without_consent",
                "no_wmd",
                "delivery_verification",
                "post_shipment_verification",
            )
        ],
    }


def _seal_kid(text: str) -> str:
    try:
        from attkit.seals import codec

        data = codec.unpack(text, codec.PROFILES[text[: text.index(":") + 1]])
        cose = codec.parse_cose(data)
        kid = cose.header(codec.HEADER_KID)
        return bytes(kid).hex() if isinstance(kid, bytes | bytearray) else ""
    except Exception:
        return ""


def certificate_pdf(euc: EndUserCertificate, *, sign: bool = True) -> bytes:
    """The issued certificate as a bilingual A4 PDF, signed (PAdES) by the authority's document signer."""
    pdf = _render("euc/print/certificate.html", certificate_context(euc))
    if not sign or not euc.seal_text:
        return pdf
    from attkit.euc.pdfsign import sign_pdf, signer_for_pdf

    return sign_pdf(
        pdf,
        signer_for_pdf(euc.authority),
        reason=f"End-user certificate {euc.serial} / Certificado de usuario final {euc.serial}",
        location=euc.authority.name_en,
        name=euc.official_name or euc.authority.name_en,
    )


def delivery_pdf(dvc: DeliveryVerification, *, sign: bool = True) -> bytes:
    """The delivery verification certificate as a bilingual A4 PDF, sealed and signed."""
    euc = dvc.certificate
    received = {row.line_id: row.quantity_received for row in dvc.lines.all()}
    context = {
        "dvc": dvc,
        "euc": euc,
        "T": _bi_all(TEXT),
        "E": _element_labels(),
        "authority": _authority_names(euc.authority),
        "goods": [
            {**row, "received": received.get(g.pk, 0)} for row, g in zip(_goods_rows(euc), euc.goods.all(), strict=True)
        ],
        "end_user": next((p for p in _party_rows(euc) if p["role"] == PartyRole.END_USER), None),
        "qr": qr_svg_data_uri(dvc.seal_text) if dvc.seal_text else "",
        "signer_kid": _seal_kid(dvc.seal_text) if dvc.seal_text else "",
    }
    pdf = _render("euc/print/delivery.html", context)
    if not sign or not dvc.seal_text:
        return pdf
    from attkit.euc.pdfsign import sign_pdf, signer_for_pdf

    return sign_pdf(
        pdf,
        signer_for_pdf(euc.authority),
        reason=f"Delivery verification certificate {dvc.serial} / Certificado de verificación de entrega {dvc.serial}",
        location=euc.authority.name_en,
        name=dvc.checked_by,
    )


def blank_pdf() -> bytes:
    """The blank bilingual model form, for states that adopt the model before they adopt the software."""
    context = {
        "blank": True,
        "T": _bi_all(TEXT),
        "E": _element_labels(),
        "roles": [(r.value, bi(PARTY_ROLE_LABELS[r])) for r in PartyRole],
        "goods_rows": range(1, 9),
        "undertakings": [
            (e.name, False, e.mandatory) for e in model_v1.END_USE if e.kind is not model_v1.Kind.LONG_TEXT
        ],
        "site_url": settings.SITE_URL,
    }
    return _render("euc/print/certificate.html", context)
