"""Loader for a state's own list (national denials, persons of interest) kept as a simple CSV.

The file is UTF-8 with a header row. Columns, in any order:

==========  ========  ==============================================================
column      required  content
==========  ========  ==============================================================
ref         yes       the reference of the entry in the national list, unique
name        yes       the main name
schema      no        person, organization, vessel or aircraft (default organization)
aliases     no        other names, separated by ``;``
dob         no        dates of birth separated by ``;``: 1970-05-31, 1970-05, 1970
                      or a range of years 1968..1972
country     no        ISO 3166 alpha-2 codes or country names separated by ``;``
                      (nationality for a person, country for the others)
program     no        the legal basis or programme, separated by ``;``
remarks     no        free text
==========  ========  ==============================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from attkit.screening.loaders.countries import country_code
from attkit.screening.loaders.model import (
    MAX_FILE_BYTES,
    BirthDate,
    ListEntry,
    ListFormatError,
    ListKind,
    ListSnapshot,
    Name,
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

COLUMNS = ("ref", "name", "schema", "aliases", "dob", "country", "program", "remarks")
REQUIRED = ("ref", "name")
MAX_FIELD_CHARS = 100_000
_SCHEMAS = {
    "": Schema.ORGANIZATION,
    "person": Schema.PERSON,
    "individual": Schema.PERSON,
    "organization": Schema.ORGANIZATION,
    "organisation": Schema.ORGANIZATION,
    "entity": Schema.ORGANIZATION,
    "company": Schema.ORGANIZATION,
    "vessel": Schema.VESSEL,
    "aircraft": Schema.AIRCRAFT,
}
_RANGE = re.compile(r"^(\d{4})\s*\.\.\s*(\d{4})$")


def load_national_csv(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None) -> ListSnapshot:
    """Load a national list CSV (see the module docstring for its columns)."""
    with paused_gc():
        return _load_national_csv(path, max_bytes=max_bytes, version=version)


def _load_national_csv(
    path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None
) -> ListSnapshot:
    """Load a national list CSV (see the module docstring for its columns)."""
    path = Path(path)
    data = read_capped(path, max_bytes=max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise ListFormatError(f"{path}: not a CSV text file (it contains NUL bytes)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ListFormatError(f"{path}: empty file, expected a header row ({','.join(COLUMNS)})")
        columns = _columns(header, path)
        entries: list[ListEntry] = []
        seen: set[str] = set()
        for row in reader:
            where = f"{path} line {reader.line_num}"
            if not any(value.strip() for value in row):
                continue
            if len(row) != len(columns):
                raise ListFormatError(f"{where}: expected {len(columns)} fields as in the header, found {len(row)}")
            record = dict(zip(columns, row, strict=True))
            entry = _entry(record, where)
            if entry.ref in seen:
                raise ListFormatError(f"{where}: ref {entry.ref!r} appears twice")
            seen.add(entry.ref)
            entries.append(entry)
    except csv.Error as exc:
        raise ListFormatError(f"{path} line {reader.line_num}: malformed CSV ({exc})") from None
    return ListSnapshot(ListKind.CSV, str(path), version or file_date(path), None, sha256_of(data), tuple(entries))


def _columns(header: list[str], path: Path) -> list[str]:
    columns = [column.strip().casefold() for column in header]
    unknown = [column for column in columns if column not in COLUMNS]
    if unknown:
        raise ListFormatError(
            f"{path}: unknown column(s) {', '.join(repr(c) for c in unknown)}; expected {','.join(COLUMNS)}"
        )
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise ListFormatError(f"{path}: missing required column(s) {', '.join(missing)}")
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    if duplicated:
        raise ListFormatError(f"{path}: column(s) {', '.join(duplicated)} appear more than once")
    return columns


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _dob(value: str, where: str) -> BirthDate:
    try:
        if match := _RANGE.match(value):
            return BirthDate.between(int(match.group(1)), int(match.group(2)))
        if len(value) == 4 and value.isdigit():
            return BirthDate.year(int(value))
        if len(value) == 7:
            year, month = value.split("-")
            if not 1 <= int(month) <= 12:
                raise ValueError(value)
            return BirthDate(int(year), int(year), int(month))
        return BirthDate.exact(dt.date.fromisoformat(value))
    except ValueError:
        raise ListFormatError(f"{where}: dob {value!r} is not YYYY-MM-DD, YYYY-MM, YYYY or YYYY..YYYY") from None


def _entry(record: dict[str, str], where: str) -> ListEntry:
    for column, value in record.items():
        if len(value) > MAX_FIELD_CHARS:
            raise ListFormatError(f"{where}: column {column} is over {MAX_FIELD_CHARS:,} characters")
    ref = record["ref"].strip()
    if not ref:
        raise ListFormatError(f"{where}: empty ref")
    raw_schema = record.get("schema", "").strip().casefold()
    if raw_schema not in _SCHEMAS:
        raise ListFormatError(f"{where}: schema {raw_schema!r} is not person, organization, vessel or aircraft")
    schema = _SCHEMAS[raw_schema]
    names = [Name(check_name(record["name"], f"{where} name"))]
    names += [Name(check_name(alias, f"{where} aliases")) for alias in _split(record.get("aliases", ""))]
    countries: list[str | None] = []
    for value in _split(record.get("country", "")):
        code = country_code(value)
        if code is None:
            raise ListFormatError(f"{where}: country {value!r} is not a known country name or ISO code")
        countries.append(code)
    dobs = tuple(_dob(value, where) for value in _split(record.get("dob", "")))
    if dobs and schema is not Schema.PERSON:
        raise ListFormatError(f"{where}: dob given for a {schema.value}")
    is_person = schema is Schema.PERSON
    return ListEntry(
        ref=ref,
        schema=schema,
        names=unique_names(names),
        dobs=dobs,
        nationalities=unique(countries) if is_person else (),
        countries=() if is_person else unique(countries),
        programs=unique(_split(record.get("program", ""))),
        remarks=check_text(record.get("remarks", ""), f"{where} remarks"),
    )
