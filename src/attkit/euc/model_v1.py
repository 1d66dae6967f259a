"""The model end-user certificate, version 1: its elements (mandatory and optional) and their validation.

The schema is data: the draft pages, the JSON request of `attkit euc issue`, the printed form, the blank
form and docs/model-euc.md all follow it. Validation returns one message per faulty field, in the active
language, keyed by the element's path ("goods.2.quantity").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import pycountry
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from attkit.euc.categories import SALW_LINES, UN_CATEGORIES, UNITS

VERSION = "1"
MODEL_ID = "attkit-euc/1"
MAX_GOODS_LINES = 50
MAX_PARTIES = 20
MAX_VALIDITY_DAYS = 730  # the document signer's policy: a sealed document lives at most two years


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    COUNTRY = "country"
    UNDERTAKING = "undertaking"  # a box the end user must tick
    CONSENT = "consent"  # a box the end user may tick
    POSITIVE_INT = "positive_int"
    MONEY = "money"
    CURRENCY = "currency"
    CHOICE = "choice"
    HS_CODE = "hs_code"
    ISSUE = "issue"  # set when the certificate is issued, never entered


class Section(StrEnum):
    DETAILS = "details"
    PARTIES = "parties"
    GOODS = "goods"
    END_USE = "end_use"


SECTION_LABELS: dict[Section, StrPromise] = {
    Section.DETAILS: _("Certificate details"),
    Section.PARTIES: _("Parties"),
    Section.GOODS: _("Goods"),
    Section.END_USE: _("End use and undertakings"),
}


class PartyRole(StrEnum):
    EXPORTER = "exporter"
    END_USER = "end_user"
    CONSIGNEE = "consignee"
    INTERMEDIARY = "intermediary"
    BROKER = "broker"


PARTY_ROLES = frozenset(r.value for r in PartyRole)

PARTY_ROLE_LABELS: dict[PartyRole, StrPromise] = {
    PartyRole.EXPORTER: _("Exporter"),
    PartyRole.END_USER: _("End user"),
    PartyRole.CONSIGNEE: _("Consignee"),
    PartyRole.INTERMEDIARY: _("Intermediary"),
    PartyRole.BROKER: _("Broker"),
}

PARTY_MISSING: dict[PartyRole, StrPromise] = {
    PartyRole.EXPORTER: _("Add the exporter"),
    PartyRole.END_USER: _("Add the end user"),
}
PARTY_TOO_MANY: dict[PartyRole, StrPromise] = {
    PartyRole.EXPORTER: _("A certificate names only one exporter"),
    PartyRole.END_USER: _("A certificate names only one end user"),
    PartyRole.CONSIGNEE: _("A certificate names only one consignee"),
}

# How many parties of each role a certificate has: (minimum, maximum or None).
PARTY_COUNTS: dict[PartyRole, tuple[int, int | None]] = {
    PartyRole.EXPORTER: (1, 1),
    PartyRole.END_USER: (1, 1),
    PartyRole.CONSIGNEE: (0, 1),
    PartyRole.INTERMEDIARY: (0, None),
    PartyRole.BROKER: (0, None),
}


@dataclass(frozen=True)
class Element:
    """One element of the model certificate."""

    name: str
    label: StrPromise
    kind: Kind
    mandatory: bool
    required_message: StrPromise | None = None
    max_length: int = 0
    help: StrPromise | str = ""
    roles: tuple[PartyRole, ...] = ()  # party elements: the roles for which the element is mandatory

    @property
    def entered(self) -> bool:
        return self.kind is not Kind.ISSUE


IDENTITY: tuple[Element, ...] = (
    Element(
        "serial",
        _("Serial number (register number)"),
        Kind.ISSUE,
        True,
        help=_("Given by the register when the certificate is issued, with two check digits."),
    ),
    Element("issue_date", _("Date of issue"), Kind.ISSUE, True),
    Element("issuing_authority", _("Issuing authority"), Kind.ISSUE, True),
    Element(
        "signature",
        _("Signature and stamp of the issuing official"),
        Kind.ISSUE,
        True,
        help=_(
            "The electronic seal (QR code) and the signature of the PDF file; on paper, the handwritten "
            "signature and stamp."
        ),
    ),
)

DETAILS: tuple[Element, ...] = (
    Element("expiry_date", _("Expiry date"), Kind.DATE, True, _("Enter the expiry date as YYYY-MM-DD")),
    Element(
        "official_name",
        _("Name of the issuing official"),
        Kind.TEXT,
        True,
        _("Enter the name of the issuing official"),
        200,
    ),
    Element(
        "official_title",
        _("Title of the issuing official"),
        Kind.TEXT,
        True,
        _("Enter the title of the issuing official"),
        200,
    ),
    Element(
        "certification_text",
        _("Certification by the government"),
        Kind.LONG_TEXT,
        True,
        _("Enter the government's certification that the end user is authentic"),
        2000,
        _("The government certifies that the end user named in this certificate is authentic."),
    ),
    Element(
        "contract_number", _("Contract or order number"), Kind.TEXT, True, _("Enter the contract or order number"), 100
    ),
    Element("contract_date", _("Contract or order date"), Kind.DATE, False),
    Element(
        "final_destination_country",
        _("Country of final destination"),
        Kind.COUNTRY,
        True,
        _("Enter the country of final destination as a two-letter ISO code, for example MX"),
    ),
)

PARTY: tuple[Element, ...] = (
    Element("role", _("Role"), Kind.CHOICE, True, _("Choose the role of the party")),
    Element("name", _("Name"), Kind.TEXT, True, _("Enter the name of the party"), 300),
    Element("business_name", _("Business name"), Kind.TEXT, False, None, 300),
    Element(
        "position",
        _("Position"),
        Kind.TEXT,
        False,
        _("Enter the position of the end user"),
        200,
        roles=(PartyRole.END_USER,),
    ),
    Element("address", _("Full address"), Kind.LONG_TEXT, True, _("Enter the full address of the party"), 1000),
    Element(
        "country",
        _("Country"),
        Kind.COUNTRY,
        True,
        _("Enter the country of the party as a two-letter ISO code, for example DE"),
    ),
)

GOODS_LINE: tuple[Element, ...] = (
    Element(
        "description",
        _("Description (type and characteristics)"),
        Kind.LONG_TEXT,
        True,
        _("Enter a description of the goods"),
        1000,
    ),
    Element("model", _("Model"), Kind.TEXT, False, None, 200),
    Element("calibre", _("Calibre"), Kind.TEXT, False, None, 50),
    Element("un_category", _("UN Register category"), Kind.CHOICE, True, _("Choose the UN Register category")),
    Element(
        "salw_line",
        _("Small arms and light weapons line"),
        Kind.CHOICE,
        False,
        _("Choose the small arms or light weapons line for category VIII"),
    ),
    Element("national_category", _("National control list entry"), Kind.TEXT, False, None, 50),
    Element("hs_code", _("HS code"), Kind.HS_CODE, True, _("Enter the HS code as 4 to 10 digits, for example 930190")),
    Element(
        "quantity", _("Quantity"), Kind.POSITIVE_INT, True, _("Enter the quantity as a whole number greater than zero")
    ),
    Element("unit", _("Unit"), Kind.CHOICE, True, _("Choose the unit of the quantity")),
    Element("value", _("Value"), Kind.MONEY, False, _("Enter the value as a number, for example 125000.00")),
    Element(
        "currency",
        _("Currency"),
        Kind.CURRENCY,
        False,
        _("Enter the currency of the value as a three-letter ISO code, for example USD"),
    ),
)

END_USE: tuple[Element, ...] = (
    Element(
        "description",
        _("Description of the end use"),
        Kind.LONG_TEXT,
        True,
        _("Describe the end use of the goods"),
        2000,
    ),
    Element(
        "no_other_use",
        _("The goods will not be used for purposes other than the end use stated"),
        Kind.UNDERTAKING,
        True,
        _("The end user must undertake not to use the goods for other purposes"),
    ),
    Element(
        "no_reexport_without_consent",
        _(
            "The goods will not be re-exported, resold or transferred without the prior written consent of the "
            "exporting State"
        ),
        Kind.UNDERTAKING,
        True,
        _("The end user must undertake not to re-export the goods without consent"),
    ),
    Element(
        "no_wmd",
        _("The goods will not be used for weapons of mass destruction"),
        Kind.UNDERTAKING,
        True,
        _("The end user must undertake not to use the goods for weapons of mass destruction"),
    ),
    Element(
        "delivery_verification",
        _("A delivery verification certificate will be issued on arrival of the goods"),
        Kind.CONSENT,
        False,
    ),
    Element(
        "post_shipment_verification",
        _("The end user consents to on-site post-shipment verification by the exporting State"),
        Kind.CONSENT,
        False,
    ),
)


@dataclass(frozen=True)
class ModelSchema:
    version: str
    identity: tuple[Element, ...]
    details: tuple[Element, ...]
    party: tuple[Element, ...]
    goods_line: tuple[Element, ...]
    end_use: tuple[Element, ...]


SCHEMA = ModelSchema(VERSION, IDENTITY, DETAILS, PARTY, GOODS_LINE, END_USE)

Errors = dict[str, list[str]]

_HS_RE = re.compile(r"^\d{4}(\d{2}){0,3}$")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _country(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        return None
    return code


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _clean_value(element: Element, value: Any, choices: Mapping[str, Any] | None = None) -> tuple[Any, bool]:
    """(clean value, ok) for a non-blank value of the element."""
    kind = element.kind
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        if not isinstance(value, str):
            return None, False
        text = value.strip()
        if element.max_length and len(text) > element.max_length:
            return None, False
        return text, True
    if kind is Kind.DATE:
        parsed = _date(value)
        return parsed, parsed is not None
    if kind is Kind.COUNTRY:
        code = _country(value)
        return code, code is not None
    if kind in (Kind.UNDERTAKING, Kind.CONSENT):
        if isinstance(value, bool):
            return value, True
        if isinstance(value, str) and value.lower() in ("true", "false", "on", "yes", "no", "1", "0"):
            return value.lower() in ("true", "on", "yes", "1"), True
        return None, False
    if kind is Kind.POSITIVE_INT:
        if isinstance(value, bool):
            return None, False
        if isinstance(value, int):
            return value, 0 < value <= 10**9
        if isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
            return number, 0 < number <= 10**9
        return None, False
    if kind is Kind.MONEY:
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            return None, False
        if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 14:
            return None, False
        return amount.quantize(Decimal("0.01")), True
    if kind is Kind.CURRENCY:
        code = str(value).strip().upper()
        return code, len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None
    if kind is Kind.HS_CODE:
        code = re.sub(r"[\s.]", "", str(value))
        return code, bool(_HS_RE.match(code))
    if kind is Kind.CHOICE:
        code = str(value).strip()
        return code, choices is not None and code in choices
    return None, False


def _invalid_message(element: Element) -> str:
    return str(element.required_message or _("Check this entry"))


def _too_long_message(element: Element) -> str:
    return str(_("Enter at most %(n)s characters") % {"n": element.max_length})


def _clean_group(
    elements: Sequence[Element],
    data: Mapping[str, Any],
    prefix: str,
    errors: Errors,
    *,
    choices: Mapping[str, Mapping[str, Any]] | None = None,
    mandatory_override: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for element in elements:
        if not element.entered:
            continue
        key = f"{prefix}{element.name}"
        value = data.get(element.name)
        mandatory = (mandatory_override or {}).get(element.name, element.mandatory)
        if element.kind is Kind.UNDERTAKING:
            clean, ok = _clean_value(element, value) if value is not None else (False, True)
            if not ok or clean is not True:
                errors.setdefault(key, []).append(_invalid_message(element))
            cleaned[element.name] = bool(clean)
            continue
        if element.kind is Kind.CONSENT:
            clean, ok = _clean_value(element, value) if value is not None else (False, True)
            if not ok:
                errors.setdefault(key, []).append(str(_("Answer yes or no")))
            cleaned[element.name] = bool(clean)
            continue
        if _blank(value):
            if mandatory:
                errors.setdefault(key, []).append(_invalid_message(element))
            cleaned[element.name] = None if element.kind not in (Kind.TEXT, Kind.LONG_TEXT, Kind.CHOICE) else ""
            continue
        clean, ok = _clean_value(element, value, (choices or {}).get(element.name))
        if not ok:
            if element.kind in (Kind.TEXT, Kind.LONG_TEXT) and isinstance(value, str):
                errors.setdefault(key, []).append(_too_long_message(element))
            else:
                errors.setdefault(key, []).append(_invalid_message(element))
        cleaned[element.name] = clean
    return cleaned


def validate_details(data: Mapping[str, Any], errors: Errors, *, today: dt.date) -> dict[str, Any]:
    """The details section; a request may give "validity_days" (from today) instead of an expiry date."""
    days = data.get("validity_days")
    if _blank(data.get("expiry_date")) and days is not None:
        if isinstance(days, int) and not isinstance(days, bool) and 0 < days <= MAX_VALIDITY_DAYS:
            data = {**data, "expiry_date": today + dt.timedelta(days=days)}
        else:
            errors["certificate.validity_days"] = [
                str(_("Enter the validity as a number of days from 1 to %(days)s") % {"days": MAX_VALIDITY_DAYS})
            ]
    cleaned = _clean_group(DETAILS, data, "certificate.", errors)
    expiry = cleaned.get("expiry_date")
    if isinstance(expiry, dt.date) and "certificate.expiry_date" not in errors:
        if expiry <= today:
            errors["certificate.expiry_date"] = [str(_("The expiry date must be in the future"))]
        elif (expiry - today).days > MAX_VALIDITY_DAYS:
            errors["certificate.expiry_date"] = [
                str(_("The expiry date must be at most %(days)s days from today") % {"days": MAX_VALIDITY_DAYS})
            ]
    contract_date = cleaned.get("contract_date")
    if isinstance(contract_date, dt.date) and contract_date > today and "certificate.contract_date" not in errors:
        errors["certificate.contract_date"] = [str(_("The contract date cannot be in the future"))]
    return cleaned


def validate_parties(parties: Any, errors: Errors) -> list[dict[str, Any]]:
    if not isinstance(parties, list):
        errors["parties"] = [str(_("Add the parties: the exporter and the end user at least"))]
        return []
    if len(parties) > MAX_PARTIES:
        errors["parties"] = [str(_("A certificate has at most %(n)s parties") % {"n": MAX_PARTIES})]
        return []
    cleaned: list[dict[str, Any]] = []
    role_choices = {r.value: r for r in PartyRole}
    for i, party in enumerate(parties):
        if not isinstance(party, Mapping):
            errors.setdefault(f"parties.{i}", []).append(str(_("Check this entry")))
            continue
        role = str(party.get("role", "")).strip()
        override = {"position": role == PartyRole.END_USER}
        cleaned.append(
            _clean_group(
                PARTY, party, f"parties.{i}.", errors, choices={"role": role_choices}, mandatory_override=override
            )
        )
    counts = {role: sum(1 for p in cleaned if p.get("role") == role) for role in PartyRole}
    for role, (minimum, maximum) in PARTY_COUNTS.items():
        if counts[role] < minimum:
            errors.setdefault("parties", []).append(str(PARTY_MISSING[role]))
        elif maximum is not None and counts[role] > maximum:
            errors.setdefault("parties", []).append(str(PARTY_TOO_MANY[role]))
    return cleaned


def validate_goods(goods: Any, errors: Errors) -> list[dict[str, Any]]:
    if not isinstance(goods, list) or not goods:
        errors["goods"] = [str(_("Add at least one goods line"))]
        return []
    if len(goods) > MAX_GOODS_LINES:
        errors["goods"] = [str(_("A certificate has at most %(n)s goods lines") % {"n": MAX_GOODS_LINES})]
        return []
    cleaned: list[dict[str, Any]] = []
    choices = {"un_category": UN_CATEGORIES, "salw_line": SALW_LINES, "unit": UNITS}
    for i, line in enumerate(goods):
        if not isinstance(line, Mapping):
            errors.setdefault(f"goods.{i}", []).append(str(_("Check this entry")))
            continue
        is_salw = str(line.get("un_category", "")).strip() == "VIII"
        row = _clean_group(
            GOODS_LINE, line, f"goods.{i}.", errors, choices=choices, mandatory_override={"salw_line": is_salw}
        )
        if not is_salw and row.get("salw_line"):
            errors.setdefault(f"goods.{i}.salw_line", []).append(
                str(_("A small arms or light weapons line goes only with category VIII"))
            )
        if row.get("value") is not None and not row.get("currency") and f"goods.{i}.currency" not in errors:
            errors.setdefault(f"goods.{i}.currency", []).append(
                str(_("Enter the currency of the value as a three-letter ISO code, for example USD"))
            )
        cleaned.append(row)
    return cleaned


def validate_end_use(data: Any, errors: Errors) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        data = {}
    flat = {"description": data.get("description"), **(data.get("undertakings") or {})}
    return _clean_group(END_USE, flat, "end_use.", errors)


@dataclass(frozen=True)
class Result:
    cleaned: dict[str, Any]
    errors: Errors

    @property
    def ok(self) -> bool:
        return not self.errors

    def section_errors(self, section: Section) -> Errors:
        prefix = {
            Section.DETAILS: "certificate",
            Section.PARTIES: "parties",
            Section.GOODS: "goods",
            Section.END_USE: "end_use",
        }[section]
        return {k: v for k, v in self.errors.items() if k == prefix or k.startswith(prefix + ".")}


def validate(request: Mapping[str, Any], *, today: dt.date) -> Result:
    """Validate a certificate request (the JSON of examples/euc-request.json) against model v1."""
    errors: Errors = {}
    model = request.get("model", MODEL_ID)
    if model != MODEL_ID:
        errors["model"] = [str(_("This is not a model v1 request (expected %(id)s)") % {"id": MODEL_ID})]
    details = request.get("certificate")
    cleaned = {
        "model": MODEL_ID,
        "certificate": validate_details(details if isinstance(details, Mapping) else {}, errors, today=today),
        "parties": validate_parties(request.get("parties"), errors),
        "goods": validate_goods(request.get("goods"), errors),
        "end_use": validate_end_use(request.get("end_use"), errors),
    }
    return Result(cleaned, errors)
