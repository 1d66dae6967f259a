"""The seal payload is compact: a ten-line certificate fits a QR code of version 25 or less (level Q)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attkit.euc import payload, services
from attkit.seals import qr

pytestmark = pytest.mark.django_db

LINES = [
    ("VIII", "SA-2", "9301900000", 999_999, "unit"),
    ("VIII", "SA-1", "9302000000", 888_888, "unit"),
    ("VIII", "SA-4", "9301900000", 777_777, "unit"),
    ("VIII", "LW-1", "9301900000", 66_666, "unit"),
    ("VIII", "LW-2", "9301200000", 55_555, "unit"),
    ("VIII", "LW-6", "9301100000", 44_444, "unit"),
    ("ART3", "", "9306300000", 9_999_999, "round"),
    ("ART3", "", "9306900000", 8_888_888, "round"),
    ("ART4", "", "9305910000", 77_777, "set"),
    ("II", "", "8710000000", 999, "unit"),
]


def ten_line_request(request_data):
    request_data["parties"][1]["name"] = (
        "Secretaría de Seguridad y Protección Ciudadana del Estado Libre y Soberano de Ejemplo (fictional)"
    )
    request_data["goods"] = [
        {
            "description": f"Line {i}: long description of the goods with characteristics " * 3,
            "model": "Model with a long name " * 3,
            "calibre": "12.7 x 99 mm",
            "un_category": cat,
            "salw_line": line,
            "national_category": "ML1.a",
            "hs_code": hs,
            "quantity": qty,
            "unit": unit,
            "value": "99999999.99",
            "currency": "EUR",
        }
        for i, (cat, line, hs, qty, unit) in enumerate(LINES, start=1)
    ]
    return request_data


def test_a_ten_line_certificate_fits_a_version_25_qr(drafter, issuer, request_data):
    euc = services.draft_from_request(by=drafter, request=ten_line_request(request_data))
    euc = services.issue(euc.pk, by=issuer)
    assert euc.goods.count() == 10
    version = qr.qr_version(euc.seal_text)
    assert version <= 25, f"{len(euc.seal_text)} characters need version {version}"


def test_the_payload_has_codes_and_numbers_only():
    doc_hash = "ab" * 32
    data = payload.euc_payload(
        serial="MX-EUC-2026-000001-78",
        authority="MX",
        issue_date=dt.date(2026, 11, 28),
        expiry_date=dt.date(2027, 11, 28),
        end_user_country="MX",
        end_user_name="Policía Estatal de Ejemplo, Coordinación de Logística y Armamento",
        goods=[("VIII-SA-2", "930190", 250, "unit")],
        doc_hash=doc_hash,
    )
    assert data["g"] == [["VIII-SA-2", "930190", 250, "unit"]]
    assert data["h"] == bytes.fromhex(doc_hash)
    assert len(data["n"]) <= payload.SHORT_NAME_LENGTH
    described = payload.describe_euc({**data, "h": data["h"].hex()})
    assert described["goods"][0]["quantity"] == 250
    assert described["document_hash"] == doc_hash


def test_the_hash_binds_every_element(issued):
    document = services.full_document(issued)
    assert payload.document_hash(document) == issued.document_hash
    document["goods"][0]["description"] += "."
    assert payload.document_hash(document) != issued.document_hash


def test_canonical_json_is_stable():
    one = payload.canonical_json({"b": Decimal("1.50"), "a": dt.date(2026, 1, 2), "c": "ñ"})
    assert one == '{"a":"2026-01-02","b":"1.50","c":"ñ"}'.encode()


def test_short_names_are_cut_on_a_word():
    assert payload.short_name("Policía Estatal de Ejemplo de la Ciudad de Ejemplo Grande") == (
        "Policía Estatal de Ejemplo de la Ciudad"
    )
    assert payload.short_name("  A   B ") == "A B"
