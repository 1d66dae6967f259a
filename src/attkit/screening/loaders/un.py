"""Loader for the UN Security Council Consolidated List XML (parsed with defusedxml only)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as StdET  # only for the Element type and ParseError; parsing is defusedxml
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from attkit.screening.loaders.countries import country_code
from attkit.screening.loaders.model import (
    MAX_FILE_BYTES,
    Address,
    BirthDate,
    Document,
    ListEntry,
    ListFormatError,
    ListKind,
    ListSnapshot,
    Name,
    NameQuality,
    Schema,
    check_name,
    check_text,
    file_date,
    paused_gc,
    read_capped,
    sha256_of,
    unique,
    unique_names,
)

ROOT_TAG = "CONSOLIDATED_LIST"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ALIAS_QUALITY = {"good": NameQuality.STRONG, "": NameQuality.STRONG, "a.k.a.": NameQuality.STRONG}
_ALIAS_QUALITY |= {"f.k.a.": NameQuality.STRONG, "low": NameQuality.WEAK}


def parse_xml(data: bytes, source: str) -> StdET.Element:
    """The root of an XML document, refusing DTDs, entity declarations and external references."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise ListFormatError(f"{source}: refused, the XML declares a DTD (entity expansion is not allowed)") from None
    except defusedxml.EntitiesForbidden as exc:
        raise ListFormatError(f"{source}: refused, the XML declares the entity {exc.name!r}") from None
    except defusedxml.ExternalReferenceForbidden:
        raise ListFormatError(f"{source}: refused, the XML refers to an external resource") from None
    except defusedxml.DefusedXmlException as exc:
        raise ListFormatError(f"{source}: refused, unsafe XML ({exc})") from None
    except StdET.ParseError as exc:
        line, column = exc.position
        raise ListFormatError(f"{source}: malformed XML at line {line}, column {column}") from None
    except (LookupError, ValueError):  # expat's answer to an unknown or multi-byte encoding declaration
        raise ListFormatError(f"{source}: refused, the XML declares an encoding that cannot be read") from None


def load_un(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None) -> ListSnapshot:
    """Load the UN Security Council Consolidated List from its XML file."""
    with paused_gc():
        return _load_un(path, max_bytes=max_bytes, version=version)


def _load_un(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None) -> ListSnapshot:
    """Load the UN Security Council Consolidated List from its XML file."""
    path = Path(path)
    data = read_capped(path, max_bytes=max_bytes)
    root = parse_xml(data, str(path))
    if root.tag != ROOT_TAG:
        raise ListFormatError(f"{path}: root element is <{root.tag}>, expected <{ROOT_TAG}>")
    generated_at = _generated_at(root.get("dateGenerated"), path)
    entries: list[ListEntry] = []
    for number, element in enumerate(root.iterfind("INDIVIDUALS/INDIVIDUAL"), start=1):
        entries.append(_individual(element, f"{path}: INDIVIDUAL #{number}"))
    for number, element in enumerate(root.iterfind("ENTITIES/ENTITY"), start=1):
        entries.append(_entity(element, f"{path}: ENTITY #{number}"))
    seen: set[str] = set()
    for entry in entries:
        if entry.ref in seen:
            raise ListFormatError(f"{path}: REFERENCE_NUMBER {entry.ref} appears twice")
        seen.add(entry.ref)
    version = version or root.get("dateGenerated") or file_date(path)
    return ListSnapshot(ListKind.UN, str(path), version, generated_at, sha256_of(data), tuple(entries))


def _generated_at(value: str | None, path: Path) -> dt.datetime | None:
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ListFormatError(f"{path}: dateGenerated {value!r} is not an ISO 8601 date-time") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _text(element: StdET.Element, path: str) -> str:
    return " ".join((element.findtext(path) or "").split())


def _ref(element: StdET.Element, where: str) -> tuple[str, str]:
    ref = _text(element, "REFERENCE_NUMBER")
    data_id = _text(element, "DATAID")
    if not ref:
        raise ListFormatError(f"{where} (DATAID {data_id or '?'}): missing REFERENCE_NUMBER")
    return ref, f"{where} ({ref})"


def _listed_on(element: StdET.Element, where: str) -> dt.date | None:
    value = _text(element, "LISTED_ON")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise ListFormatError(f"{where}: LISTED_ON {value!r} is not a date") from None


def _aliases(element: StdET.Element, tag: str, where: str) -> list[Name]:
    names: list[Name] = []
    for alias in element.iterfind(tag):
        value = _text(alias, "ALIAS_NAME")
        if not value:
            continue
        quality = _ALIAS_QUALITY.get(_text(alias, "QUALITY").casefold(), NameQuality.WEAK)
        names.append(Name(check_name(value, f"{where} {tag}"), quality))
    return names


def _original_script(element: StdET.Element, where: str) -> list[Name]:
    value = _text(element, "NAME_ORIGINAL_SCRIPT")
    if not value:
        return []
    return [Name(check_name(value, f"{where} NAME_ORIGINAL_SCRIPT"), NameQuality.ORIGINAL_SCRIPT)]


def _individual(element: StdET.Element, where: str) -> ListEntry:
    ref, where = _ref(element, where)
    parts = [_text(element, tag) for tag in _NAME_PARTS]
    primary = check_name(" ".join(part for part in parts if part), f"{where} FIRST_NAME..FOURTH_NAME")
    names = [Name(primary), *_aliases(element, "INDIVIDUAL_ALIAS", where), *_original_script(element, where)]
    dobs = tuple(dob for node in element.iterfind("INDIVIDUAL_DATE_OF_BIRTH") if (dob := _dob(node, where)))
    nationalities = unique(country_code(node.text) for node in element.iterfind("NATIONALITY/VALUE"))
    addresses = tuple(_address(node) for node in element.iterfind("INDIVIDUAL_ADDRESS"))
    birth_countries = [country_code(_text(node, "COUNTRY")) for node in element.iterfind("INDIVIDUAL_PLACE_OF_BIRTH")]
    documents = tuple(doc for node in element.iterfind("INDIVIDUAL_DOCUMENT") if (doc := _document(node)))
    return ListEntry(
        ref=ref,
        schema=Schema.PERSON,
        names=unique_names(names),
        dobs=dobs,
        nationalities=nationalities,
        countries=unique([*(a.country for a in addresses if a.text or a.country), *birth_countries]),
        documents=documents,
        addresses=tuple(a for a in addresses if a.text),
        programs=unique([_text(element, "UN_LIST_TYPE")]),
        listed_on=_listed_on(element, where),
        remarks=check_text(element.findtext("COMMENTS1") or "", f"{where} COMMENTS1"),
    )


def _entity(element: StdET.Element, where: str) -> ListEntry:
    ref, where = _ref(element, where)
    primary = check_name(_text(element, "FIRST_NAME"), f"{where} FIRST_NAME")
    names = [Name(primary), *_aliases(element, "ENTITY_ALIAS", where), *_original_script(element, where)]
    addresses = tuple(_address(node) for node in element.iterfind("ENTITY_ADDRESS"))
    return ListEntry(
        ref=ref,
        schema=Schema.ORGANIZATION,
        names=unique_names(names),
        countries=unique(a.country for a in addresses),
        addresses=tuple(a for a in addresses if a.text),
        programs=unique([_text(element, "UN_LIST_TYPE")]),
        listed_on=_listed_on(element, where),
        remarks=check_text(element.findtext("COMMENTS1") or "", f"{where} COMMENTS1"),
    )


def _dob(node: StdET.Element, where: str) -> BirthDate | None:
    kind = _text(node, "TYPE_OF_DATE").upper()
    date, year = _text(node, "DATE"), _text(node, "YEAR")
    low, high = _text(node, "FROM_YEAR"), _text(node, "TO_YEAR")
    try:
        if date:
            return BirthDate.exact(dt.date.fromisoformat(date[:10]))
        if year:
            return BirthDate.year(int(year), approximate=kind == "APPROXIMATELY")
        if low and high:
            return BirthDate.between(int(low), int(high))
    except ValueError:
        raise ListFormatError(f"{where}: INDIVIDUAL_DATE_OF_BIRTH {date or year or low!r} is not a date") from None
    return None


def _document(node: StdET.Element) -> Document | None:
    number = _text(node, "NUMBER")
    if not number:
        return None
    kind = _text(node, "TYPE_OF_DOCUMENT") or "Document"
    detail = _text(node, "TYPE_OF_DOCUMENT2")
    country = country_code(_text(node, "ISSUING_COUNTRY") or _text(node, "COUNTRY_OF_ISSUE"))
    return Document(f"{kind} ({detail})" if detail else kind, number, country)


def _address(node: StdET.Element) -> Address:
    parts = [_text(node, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
    return Address(", ".join(part for part in parts if part), country_code(_text(node, "COUNTRY")))
