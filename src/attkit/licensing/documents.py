"""The licence and the refusal letter: bilingual (English and Spanish) PDFs carrying a "LIC1:" seal."""

from __future__ import annotations

import base64
import contextlib
import contextvars
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from decimal import Decimal
from importlib import resources
from typing import Any

from django.core.files.base import ContentFile
from django.db import DatabaseError, connection
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attkit.licensing import categories, integrations, texts
from attkit.licensing.models import STATE_LABELS, Case, CaseDocument, Decision, DocumentKind, PartyRole

logger = logging.getLogger(__name__)
_STORED: contextvars.ContextVar[list[FieldFile] | None] = contextvars.ContextVar("attkit_stored_files", default=None)


@contextlib.contextmanager
def removed_on_failure() -> Iterator[None]:
    """Files a use case stores are deleted when it fails, since its transaction rolled back: otherwise a sealed
    licence or refusal letter of a decision that never took effect would stay in the file store."""
    if _STORED.get() is not None:  # a use case inside another: the outermost one cleans up
        yield
        return
    files: list[FieldFile] = []
    token = _STORED.set(files)
    try:
        yield
    except BaseException:
        for file in files:
            _remove_if_unreferenced(file)
        raise
    finally:
        _STORED.reset(token)


def stored(file: FieldFile) -> None:
    """Note a file just written inside a use case's transaction (see removed_on_failure)."""
    files = _STORED.get()
    if files is not None:
        files.append(file)


def _remove_if_unreferenced(file: FieldFile) -> None:
    # A failure after the commit (an on-commit hook) leaves the row: its file must stay. When the database
    # cannot tell, the file is kept (an orphan is the lesser harm than a document without its file).
    try:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # a lost connection: ask on a fresh one
        referenced = CaseDocument.objects.filter(file=file.name).exists()
    except DatabaseError:
        logger.warning("kept %s after a failed use case: cannot tell whether a document refers to it", file.name)
        return
    if not referenced and file.name:
        file.storage.delete(file.name)


PAYLOAD_VERSION = 1
MAX_SEALED_LINES = 12  # more lines would not fit a QR code; the document hash still binds them all
LANGUAGES = ("en", "es")

LABELS: Mapping[str, Promise] = {
    "licence": _("Arms transfer licence"),
    "refusal": _("Refusal of an application to transfer arms"),
    "issued_by": _("Issued by"),
    "reference": _("Licence number"),
    "case_reference": _("Application"),
    "kind": _("Kind of transfer"),
    "permanence": _("Permanent or temporary"),
    "exporting": _("Exporting country"),
    "destination": _("Country of final destination"),
    "applicant": _("Licence holder"),
    "parties": _("Parties"),
    "role": _("Role"),
    "name": _("Name"),
    "country": _("Country"),
    "goods": _("Goods authorised"),
    "goods_refused": _("Goods applied for"),
    "line": _("Line"),
    "description": _("Description"),
    "category": _("Category"),
    "hs_code": _("HS code"),
    "quantity": _("Quantity"),
    "value": _("Value"),
    "end_use": _("Stated end use"),
    "transit": _("Transit route"),
    "euc": _("End-user certificate"),
    "conditions": _("Conditions"),
    "valid_until": _("Valid until"),
    "issued_at": _("Date of issue"),
    "decided_at": _("Date of decision"),
    "criteria": _("Grounds of refusal"),
    "reasons": _("Reasons"),
    "seal": _("Scan the seal to verify this document with attkit (attkit licence verify)."),
    "refusal_text": _(
        "The competent national authority has refused the application described below. This letter authorises "
        "no transfer."
    ),
    "licence_text": _(
        "The competent national authority authorises the transfer described below, under the conditions stated, "
        "in accordance with the Arms Trade Treaty (Arts 7(5), 8, 9 and 10)."
    ),
    "none": _("None"),
}


def bilingual(labels: Mapping[str, Promise] = LABELS) -> dict[str, dict[str, str]]:
    """Each label in English and Spanish, whatever the active language."""
    result: dict[str, dict[str, str]] = {key: {} for key in labels}
    for language in LANGUAGES:
        with translation.override(language):
            for key, label in labels.items():
                result[key][language] = str(label)
    return result


def _both(value: Promise | str) -> dict[str, str]:
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = str(value)
    return out


def _canonical(document: Mapping[str, Any]) -> bytes:
    def default(value: Any) -> Any:
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value, "f")
        raise TypeError(type(value).__name__)

    return json.dumps(document, default=default, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def full_document(case: Case, kind: str, decision: Decision | None = None) -> dict[str, Any]:
    """Every fact the document states, canonicalised: its hash is sealed, so no word can change unseen."""
    return {
        "document": kind,
        "reference": case.reference,
        "authority": case.authority.code,
        "kind": case.kind,
        "permanence": case.permanence,
        "temporary_until": case.temporary_until,
        "applicant": case.applicant.name,
        "origin": case.origin_country,
        "destination": case.destination_country,
        "end_use": case.end_use,
        "parties": [[p.role, p.name, p.country] for p in case.parties.all()],
        "goods": [
            [g.line_no, g.category, g.hs_code, g.national_code, g.description, g.quantity, g.unit, g.value, g.currency]
            for g in case.goods.all()
        ],
        "transit": list(case.transit.values_list("country", flat=True)),
        "euc": case.euc_serial,
        "valid_until": case.licence_valid_until,
        "conditions": decision.conditions if decision else "",
        "criteria": decision.criteria if decision else [],
    }


def document_hash(document: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(_canonical(document)).digest()


def _short(name: str, length: int = 40) -> str:
    clean = " ".join(name.split())
    return clean if len(clean) <= length else clean[:length].rsplit(" ", 1)[0]


def licence_payload(case: Case, doc_hash: bytes) -> dict[str, Any]:
    """The compact seal payload of a licence: codes and numbers, bound to the full document by its hash."""
    end_user = case.end_user()
    goods = list(case.goods.all())
    payload: dict[str, Any] = {
        "v": PAYLOAD_VERSION,
        "t": "L",
        "r": case.reference,
        "a": case.authority.code,
        "k": case.kind,
        "o": case.origin_country,
        "d": case.destination_country,
        "n": _short(end_user.name) if end_user else "",
        "g": [[g.category, g.hs_code, g.quantity, g.unit] for g in goods[:MAX_SEALED_LINES]],
        "u": case.licence_valid_until.isoformat() if case.licence_valid_until else "",
        "h": doc_hash,
    }
    if len(goods) > MAX_SEALED_LINES:
        payload["m"] = len(goods)
    return payload


def refusal_payload(case: Case, decision: Decision, doc_hash: bytes) -> dict[str, Any]:
    end_user = case.end_user()
    return {
        "v": PAYLOAD_VERSION,
        "t": "R",
        "r": case.reference,
        "a": case.authority.code,
        "d": case.destination_country,
        "n": _short(end_user.name) if end_user else "",
        "c": list(decision.criteria),
        "i": timezone.localdate().isoformat(),
        "h": doc_hash,
    }


def describe(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A sealed payload with readable keys (verification output)."""
    kind = "refusal" if payload.get("t") == "R" else "licence"
    result: dict[str, Any] = {
        "document": kind,
        "reference": payload.get("r"),
        "authority": payload.get("a"),
        "destination": payload.get("d"),
        "end_user": payload.get("n"),
    }
    if kind == "licence":
        result.update(
            {
                "kind": payload.get("k"),
                "origin": payload.get("o"),
                "valid_until": payload.get("u"),
                "goods": [
                    {"category": row[0], "hs_code": row[1], "quantity": row[2], "unit": row[3]}
                    for row in payload.get("g") or []
                    if isinstance(row, list | tuple) and len(row) >= 4
                ],
            }
        )
    else:
        result.update({"criteria": payload.get("c") or [], "decided": payload.get("i")})
    return result


def _qr_data_uri(seal_text: str) -> str:
    from attkit.seals import qr

    image = qr.make_qr(seal_text, kind="png", scale=4, border=4)
    return "data:image/png;base64," + base64.b64encode(image.data).decode("ascii")


def _stylesheet() -> str:
    return (resources.files("attkit.licensing") / "static" / "licensing" / "pdf.css").read_text("utf-8")


def _context(case: Case, seal_text: str, decision: Decision | None) -> dict[str, Any]:
    goods = [
        {
            "line": g,
            "category": {
                lang: _both(categories.category_label(g.un_category, g.salw_line))[lang] for lang in LANGUAGES
            },
        }
        for g in case.goods.all()
    ]
    role_labels = {p.value: _both(p.label) for p in PartyRole}
    return {
        "case": case,
        "L": bilingual(),
        "kind": _both(case.get_kind_display()),
        "permanence": _both(case.get_permanence_display()),
        "status": _both(STATE_LABELS.get(case.state, case.state)),
        "parties": [{"party": p, "role": role_labels[p.role]} for p in case.parties.all()],
        "goods": goods,
        "transit": list(case.transit.values_list("country", flat=True)),
        "decision": decision,
        "criteria": [
            (code, _both(texts.CRITERION_LABELS.get(code, code))) for code in (decision.criteria if decision else [])
        ],
        "qr": _qr_data_uri(seal_text),
        "seal_text": seal_text,
        "issued_on": timezone.localdate(),
    }


def render_pdf(template: str, context: Mapping[str, Any]) -> bytes:
    from attkit.core import pdf

    return pdf.render_pdf(render_to_string(template, dict(context)), css=_stylesheet())


def _store(case: Case, kind: str, data: bytes) -> CaseDocument:
    document = CaseDocument(
        authority=case.authority,
        case=case,
        kind=kind,
        original_name=f"{case.reference}-{kind}.pdf",
        media_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    document.file.save("document.pdf", ContentFile(data), save=False)
    stored(document.file)
    document.save()
    return document


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def issue_licence_document(case: Case) -> CaseDocument:
    """Seal and print the licence of a case whose licence fields are set (called by services.issue_licence)."""
    assert case.licence_valid_until is not None
    decision = case.decisions.filter(status="agreed").order_by("-created_at").first()
    doc_hash = document_hash(full_document(case, "licence", decision))
    case.licence_seal = integrations.seal(
        case.authority,
        licence_payload(case, doc_hash),
        serial=case.reference,
        expires_at=_end_of(case.licence_valid_until),
    )
    data = render_pdf("licensing/pdf/licence.html", _context(case, case.licence_seal, decision))
    return _store(case, DocumentKind.LICENCE, data)


def issue_refusal_letter(case: Case, decision: Decision) -> CaseDocument:
    """Seal and print the refusal letter (called by services.countersign when a refusal takes effect)."""
    doc_hash = document_hash(full_document(case, "refusal", decision))
    case.refusal_seal = integrations.seal(
        case.authority, refusal_payload(case, decision, doc_hash), serial=f"{case.reference}-R", expires_at=None
    )
    case.save()
    data = render_pdf("licensing/pdf/refusal.html", _context(case, case.refusal_seal, decision))
    return _store(case, DocumentKind.REFUSAL, data)


def latest(case: Case, kind: str) -> CaseDocument | None:
    return case.documents.filter(kind=kind).order_by("-created_at").first()
