"""Model v1: the schema lists every element of the model EUC; validation speaks the user's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from attkit.euc import model_v1

TODAY = dt.date(2026, 11, 28)


def names(elements):
    return {e.name for e in elements}


def test_the_schema_holds_every_element_of_the_model():
    assert model_v1.SCHEMA.version == "1"
    assert names(model_v1.IDENTITY) == {"serial", "issue_date", "issuing_authority", "signature"}
    assert names(model_v1.DETAILS) >= {
        "expiry_date",
        "official_name",
        "official_title",
        "certification_text",
        "contract_number",
        "contract_date",
        "final_destination_country",
    }
    assert names(model_v1.PARTY) >= {"role", "name", "business_name", "position", "address", "country"}
    assert names(model_v1.GOODS_LINE) >= {
        "description", "model", "calibre", "un_category", "salw_line", "hs_code", "quantity", "unit", "value",
        "currency",
    }  # fmt: skip
    assert names(model_v1.END_USE) == {
        "description",
        "no_other_use",
        "no_reexport_without_consent",
        "no_wmd",
        "delivery_verification",
        "post_shipment_verification",
    }
    optional = {e.name for e in model_v1.END_USE if not e.mandatory}
    assert optional == {"delivery_verification", "post_shipment_verification"}
    assert set(model_v1.PartyRole) == {"exporter", "end_user", "consignee", "intermediary", "broker"}


def test_the_example_request_is_valid(request_data):
    result = model_v1.validate(request_data, today=TODAY)
    assert result.ok, result.errors
    assert result.cleaned["certificate"]["expiry_date"] == TODAY + dt.timedelta(days=365)
    assert result.cleaned["goods"][2]["value"] == model_v1.Decimal("48000.00")


MESSAGES = {
    "certificate.official_name": (
        "Enter the name of the issuing official",
        "Indique el nombre del funcionario emisor",
    ),
    "goods.0.quantity": (
        "Enter the quantity as a whole number greater than zero",
        "Indique la cantidad como número entero mayor que cero",
    ),
    "goods.0.hs_code": (
        "Enter the HS code as 4 to 10 digits, for example 930190",
        "Indique el código del SA con 4 a 10 dígitos, por ejemplo 930190",
    ),
    "goods.0.currency": (
        "Enter the currency of the value as a three-letter ISO code, for example USD",
        "Indique la moneda del valor con su código ISO de tres letras, por ejemplo USD",
    ),
    "parties.1.position": ("Enter the position of the end user", "Indique el cargo del usuario final"),
    "parties.0.country": (
        "Enter the country of the party as a two-letter ISO code, for example DE",
        "Indique el país de la parte con su código ISO de dos letras, por ejemplo DE",
    ),
    "end_use.no_wmd": (
        "The end user must undertake not to use the goods for weapons of mass destruction",
        "El usuario final debe comprometerse a no utilizar los bienes para armas de destrucción masiva",
    ),
}


def broken(request_data):
    request_data["certificate"]["official_name"] = "  "
    request_data["goods"][0].update(quantity="1.5", hs_code="93A", currency="")
    request_data["parties"][1]["position"] = ""
    request_data["parties"][0]["country"] = "Germany"
    request_data["end_use"]["undertakings"]["no_wmd"] = False
    return request_data


@pytest.mark.parametrize(("language", "index"), [("en", 0), ("es", 1)])
def test_per_field_messages_in_english_and_spanish(request_data, language, index):
    with translation.override(language):
        errors = model_v1.validate(broken(request_data), today=TODAY).errors
    assert set(errors) == set(MESSAGES)
    for key, texts in MESSAGES.items():
        assert errors[key] == [texts[index]], key


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"expiry_date": "2026-11-01", "validity_days": None}, "certificate.expiry_date", "in the future"),
        ({"expiry_date": "2030-01-01", "validity_days": None}, "certificate.expiry_date", "at most 730 days"),
        ({"validity_days": 0}, "certificate.validity_days", "from 1 to 730"),
        ({"contract_date": "2027-01-01"}, "certificate.contract_date", "cannot be in the future"),
        ({"official_title": "x" * 201}, "certificate.official_title", "at most 200 characters"),
    ],
)
def test_dates_and_lengths(request_data, change, key, message):
    request_data["certificate"].update(change)
    if change.get("validity_days") is None and "validity_days" in change:
        del request_data["certificate"]["validity_days"]
    errors = model_v1.validate(request_data, today=TODAY).errors
    assert message in " ".join(errors[key])


def test_party_counts(request_data):
    request_data["parties"].append(dict(request_data["parties"][1]))
    request_data["parties"] = [p for p in request_data["parties"] if p["role"] != "exporter"]
    errors = model_v1.validate(request_data, today=TODAY).errors
    assert errors["parties"] == ["Add the exporter", "A certificate names only one end user"]


def test_salw_lines_go_with_category_viii_only(request_data):
    request_data["goods"][2]["salw_line"] = "SA-2"  # ammunition line
    request_data["goods"][0]["salw_line"] = ""
    errors = model_v1.validate(request_data, today=TODAY).errors
    assert "goods.2.salw_line" in errors and "goods.0.salw_line" in errors


def test_unknown_codes_are_refused(request_data):
    request_data["goods"][0].update(un_category="IX", unit="crates")
    errors = model_v1.validate(request_data, today=TODAY).errors
    assert {"goods.0.un_category", "goods.0.unit"} <= set(errors)


def test_structure_faults_do_not_crash(request_data):
    assert model_v1.validate({}, today=TODAY).errors["goods"] == ["Add at least one goods line"]
    result = model_v1.validate({"model": "other/2", "parties": "x", "goods": [1], "end_use": []}, today=TODAY)
    assert {"model", "parties", "goods.0"} <= set(result.errors)
    request_data["goods"] = request_data["goods"] * 13
    assert "at most 50" in model_v1.validate(request_data, today=TODAY).errors["goods"][0]
