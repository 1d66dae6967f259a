"""Loader for OpenSanctions FollowTheMoney entities, one JSON object per line."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pycountry
from followthemoney import model
from followthemoney.exc import FollowTheMoneyException
from followthemoney.proxy import EntityProxy

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

MAX_LINE_BYTES = 10 * 1024 * 1024

_NAME_PROPS: tuple[tuple[str, NameQuality], ...] = (
    ("name", NameQuality.STRONG),
    ("alias", NameQuality.STRONG),
    ("previousName", NameQuality.STRONG),
    ("weakAlias", NameQuality.WEAK),
)
_DOCUMENT_PROPS = (
    "idNumber",
    "passportNumber",
    "taxNumber",
    "registrationNumber",
    "socialSecurityNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "imoNumber",
    "mmsi",
    "callSign",
    "swiftBic",
    "vatCode",
    "serialNumber",
)
_COUNTRY_PROPS = ("country", "jurisdiction", "mainCountry", "birthCountry", "flag", "address")


def _schema(proxy: EntityProxy) -> Schema | None:
    if proxy.schema.is_a("Person"):
        return Schema.PERSON
    if proxy.schema.is_a("Vessel"):
        return Schema.VESSEL
    if proxy.schema.is_a("Airplane"):
        return Schema.AIRCRAFT
    if proxy.schema.is_a("Organization") or proxy.schema.is_a("LegalEntity"):
        return Schema.ORGANIZATION
    return None


def _iso(code: str) -> str | None:
    """An ISO alpha-2 code from an FtM country value ('ru', 'gb'); FtM's own regions are dropped."""
    code = code.strip().upper()
    if len(code) == 2 and pycountry.countries.get(alpha_2=code):
        return code
    return None


def _birth_date(value: str, where: str) -> BirthDate | None:
    """FtM dates are ISO prefixes: 1958, 1958-07, 1958-07-10."""
    try:
        if len(value) >= 10:
            return BirthDate.exact(dt.date.fromisoformat(value[:10]))
        if len(value) == 7:
            year, month = value.split("-")
            return BirthDate(int(year), int(year), int(month))
        if len(value) == 4:
            return BirthDate.year(int(value))
    except ValueError:
        raise ListFormatError(f"{where}: birthDate {value!r} is not a date") from None
    return None


def _flat(properties: Any, where: str) -> dict[str, list[str]]:
    """Properties with string values only (nested entities of the 'nested' export are dropped)."""
    if not isinstance(properties, dict):
        raise ListFormatError(f"{where}: 'properties' is not an object")
    flat: dict[str, list[str]] = {}
    for prop, values in properties.items():
        if not isinstance(values, list):
            raise ListFormatError(f"{where}: property {prop!r} is not a list")
        flat[prop] = [value for value in values if isinstance(value, str)]
    return flat


def load_ftm(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None) -> ListSnapshot:
    """Load FollowTheMoney entities (JSON lines) as list entries; Sanction entities give programs."""
    with paused_gc():
        return _load_ftm(path, max_bytes=max_bytes, version=version)


def _load_ftm(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None) -> ListSnapshot:
    """Load FollowTheMoney entities (JSON lines) as list entries; Sanction entities give programs."""
    path = Path(path)
    data = read_capped(path, max_bytes=max_bytes)
    proxies: list[tuple[str, EntityProxy]] = []
    programs: dict[str, list[str]] = defaultdict(list)
    listed: dict[str, list[str]] = defaultdict(list)
    for number, raw in enumerate(data.splitlines(), start=1):
        where = f"{path} line {number}"
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            raise ListFormatError(f"{where}: line of {len(raw):,} bytes is over the {MAX_LINE_BYTES:,}-byte limit")
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ListFormatError(f"{where}: invalid JSON ({exc})") from None
        except RecursionError:
            raise ListFormatError(f"{where}: invalid JSON (nested too deeply)") from None
        if not isinstance(obj, dict) or not obj.get("id") or not isinstance(obj.get("schema"), str):
            raise ListFormatError(f"{where}: expected an entity object with 'id' and 'schema'")
        if model.get(obj["schema"]) is None:
            raise ListFormatError(f"{where}: unknown FollowTheMoney schema {obj['schema']!r}")
        obj = {"id": str(obj["id"]), "schema": obj["schema"], "properties": _flat(obj.get("properties", {}), where)}
        try:
            proxy = model.get_proxy(obj, cleaned=False)
        except FollowTheMoneyException as exc:
            raise ListFormatError(f"{where}: {exc}") from None
        if proxy.schema.is_a("Sanction"):
            for target in proxy.get("entity"):
                programs[target].extend(proxy.get("program") or proxy.get("programId") or proxy.get("authority"))
                listed[target].extend(proxy.get("listingDate") or proxy.get("startDate"))
            continue
        proxies.append((where, proxy))
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for where, proxy in proxies:
        entry = _entry(proxy, where, programs, listed)
        if entry is None:
            continue
        if entry.ref in seen:
            raise ListFormatError(f"{where}: entity id {entry.ref} appears twice")
        seen.add(entry.ref)
        entries.append(entry)
    return ListSnapshot(ListKind.FTM, str(path), version or file_date(path), None, sha256_of(data), tuple(entries))


def _entry(
    proxy: EntityProxy, where: str, programs: dict[str, list[str]], listed: dict[str, list[str]]
) -> ListEntry | None:
    schema = _schema(proxy)
    if schema is None:
        return None
    ref = str(proxy.id)
    where = f"{where} ({ref})"
    names = [
        Name(check_name(value, f"{where} {prop}"), quality)
        for prop, quality in _NAME_PROPS
        if prop in proxy.schema.properties
        for value in proxy.get(prop)
    ]
    if not names:
        raise ListFormatError(f"{where}: entity has no name")
    props = proxy.schema.properties
    dobs = (
        [dob for value in proxy.get("birthDate") if (dob := _birth_date(value, where))] if "birthDate" in props else []
    )
    nationalities = [_iso(v) for prop in ("nationality", "citizenship") if prop in props for v in proxy.get(prop)]
    countries = [_iso(v) for prop in _COUNTRY_PROPS if prop in props and prop != "address" for v in proxy.get(prop)]
    documents = [Document(prop, value) for prop in _DOCUMENT_PROPS if prop in props for value in proxy.get(prop)]
    addresses = [Address(check_text(value, where)) for value in proxy.get("address")] if "address" in props else []
    listed_on = sorted(listed.get(ref, []) + (proxy.get("createdAt") if "createdAt" in props else []))
    own_programs = proxy.get("program") if "program" in props else []
    return ListEntry(
        ref=ref,
        schema=schema,
        names=unique_names(names),
        dobs=tuple(dobs),
        nationalities=unique(nationalities),
        countries=unique(countries),
        documents=tuple(dict.fromkeys(documents)),
        addresses=tuple(addresses),
        programs=unique([*own_programs, *programs.get(ref, [])]),
        listed_on=_first_date(listed_on),
        remarks=check_text(" ".join(proxy.get("notes")) if "notes" in props else "", where),
    )


def _first_date(values: list[str]) -> dt.date | None:
    for value in values:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            continue
    return None
