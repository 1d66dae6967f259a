"""Loader for the OFAC SDN list in its legacy CSV form (sdn.csv, alt.csv, add.csv; no header rows)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path

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

EMPTY = "-0-"
SDN_COLUMNS = 12  # ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, ...
ALT_COLUMNS = 5  # ent_num, alt_num, alt_type, alt_name, alt_remarks
ADD_COLUMNS = 6  # ent_num, add_num, address, city/state/postal, country, add_remarks

_SCHEMAS = {"individual": Schema.PERSON, "vessel": Schema.VESSEL, "aircraft": Schema.AIRCRAFT, "": Schema.ORGANIZATION}
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_DAY = r"(?:(\d{1,2}) )?(?:([A-Za-z]{3}) )?(\d{4})"
_DOB = re.compile(rf"^(?:alt\. )?DOB (circa )?{_DAY}(?: to {_DAY})?$", re.IGNORECASE)
_NATIONALITY = re.compile(r"^(?:alt\. )?(?:nationality|citizen) (.+)$", re.IGNORECASE)
_POB = re.compile(r"^(?:alt\. )?POB (.+)$")
_WEAK_AKA = re.compile(r"a\.k\.a\. '([^']+)'")
_IMO = re.compile(r"\bIMO (\d{7})\b")
# Document kinds that the SDN remarks give as "<kind> <number> (<country>)". Longest first.
_DOCUMENT_KINDS = sorted(
    [
        "Passport",
        "Diplomatic Passport",
        "National ID No.",
        "Cedula No.",
        "NIT #",
        "Tax ID No.",
        "RUC #",
        "RIF #",
        "D.N.I.",
        "SSN",
        "C.U.R.P. #",
        "R.F.C. #",
        "Registration Number",
        "Registration ID",
        "Identification Number",
        "Company Number",
        "Commercial Registry Number",
        "Business Registration Document #",
        "Business Registration Number",
        "Folio Mercantil No.",
        "Matricula Mercantil No",
        "Trade License No.",
        "C.R. No.",
        "Residency Number",
        "Personal ID Card",
        "Driver's License No.",
        "Electoral Registry No.",
        "Kenyan ID No.",
        "Public Registration Number",
        "Birth Certificate Number",
        "Immigration No.",
        "Stateless Person ID Card",
        "Refugee ID Card",
        "Legal Entity Number",
        "Certificate of Incorporation Number",
        "Vessel Registration Identification",
        "MMSI",
        "Aircraft Manufacturer's Serial Number (MSN)",
        "Aircraft Tail Number",
    ],
    key=len,
    reverse=True,
)
_DOCUMENT = re.compile(
    r"^(?:alt\. )?(?P<kind>" + "|".join(re.escape(kind) for kind in _DOCUMENT_KINDS) + r") "
    r"(?P<number>[^()]+?)(?: \((?P<country>[^)]*)\))?(?: (?:issued|expires|expired).*)?$"
)


def load_ofac(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None) -> ListSnapshot:
    """Load the OFAC SDN legacy CSV set from its directory or from the path of sdn.csv."""
    with paused_gc():
        return _load_ofac(path, max_bytes=max_bytes, version=version)


def _load_ofac(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, version: str | None = None) -> ListSnapshot:
    """Load the OFAC SDN legacy CSV set from its directory or from the path of sdn.csv."""
    path = Path(path)
    sdn_path = _find(path, "sdn.csv") if path.is_dir() else path
    if sdn_path is None:
        raise ListFormatError(f"{path}: no sdn.csv in this directory")
    folder = sdn_path.parent
    sdn_data = read_capped(sdn_path, max_bytes=max_bytes)
    alt_path, add_path = _find(folder, "alt.csv"), _find(folder, "add.csv")
    alt_data = read_capped(alt_path, max_bytes=max_bytes) if alt_path else b""
    add_data = read_capped(add_path, max_bytes=max_bytes) if add_path else b""

    aliases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line, row in _rows(alt_data, alt_path, ALT_COLUMNS):
        aliases[_ent_num(row[0], alt_path, line)].append((row[3], f"{alt_path} line {line}"))
    addresses: dict[str, list[Address]] = defaultdict(list)
    for line, row in _rows(add_data, add_path, ADD_COLUMNS):
        ent_num = _ent_num(row[0], add_path, line)
        where = f"{add_path} line {line}"
        text = ", ".join(part for part in (check_text(row[2], where), check_text(row[3], where), row[4]) if part)
        addresses[ent_num].append(Address(text, country_code(row[4])))

    entries: list[ListEntry] = []
    seen: set[str] = set()
    for line, row in _rows(sdn_data, sdn_path, SDN_COLUMNS):
        ent_num = _ent_num(row[0], sdn_path, line)
        if ent_num in seen:
            raise ListFormatError(f"{sdn_path} line {line}: ent_num {ent_num} appears twice")
        seen.add(ent_num)
        entries.append(_entry(row, ent_num, f"{sdn_path} line {line}", aliases, addresses))
    version = version or file_date(sdn_path)
    return ListSnapshot(
        ListKind.OFAC,
        str(path),
        version,
        None,
        sha256_of(sdn_data, alt_data, add_data),
        tuple(entries),
    )


def _find(folder: Path, name: str) -> Path | None:
    """A file in the folder by name, whatever its case (OFAC publishes SDN.CSV)."""
    if not folder.is_dir():
        return None
    for child in folder.iterdir():
        if child.name.casefold() == name:
            return child
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(data: bytes, path: Path | None, columns: int) -> list[tuple[int, list[str]]]:
    """The rows of a headerless OFAC CSV, with `-0-` blanked and the final Ctrl-Z line skipped."""
    if path is None or not data:
        return []
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and row[0].strip() in ("", "\x1a")):
                continue
            if len(row) != columns:
                raise ListFormatError(f"{path} line {line}: expected {columns} columns, found {len(row)}")
            rows.append((line, ["" if value.strip() == EMPTY else value.strip() for value in row]))
    except csv.Error as exc:
        raise ListFormatError(f"{path} line {reader.line_num}: malformed CSV ({exc})") from None
    return rows


def _ent_num(value: str, path: Path | None, line: int) -> str:
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() is true, but int("²") fails
        raise ListFormatError(f"{path} line {line}: ent_num {value!r} is not a number")
    return str(int(value))


def _person_order(name: str) -> str:
    """'NORIEGA, Manuel Antonio' -> 'Manuel Antonio NORIEGA' (OFAC writes individuals surname first)."""
    last, comma, first = name.partition(",")
    if not comma or not first.strip():
        return name
    return f"{first.strip()} {last.strip()}"


def _entry(
    row: list[str],
    ent_num: str,
    where: str,
    aliases: dict[str, list[tuple[str, str]]],
    addresses: dict[str, list[Address]],
) -> ListEntry:
    raw_type = row[2].casefold()
    if raw_type not in _SCHEMAS:
        raise ListFormatError(f"{where}: SDN_Type {row[2]!r} is not individual, vessel, aircraft or blank")
    schema = _SCHEMAS[raw_type]
    remarks = check_text(row[11], f"{where} Remarks")

    def shape(name: str) -> str:
        return _person_order(name) if schema is Schema.PERSON else name

    names = [Name(check_name(shape(row[1]), f"{where} SDN_Name"))]
    names += [Name(check_name(shape(value), alias_where)) for value, alias_where in aliases.get(ent_num, [])]
    names += [Name(check_name(shape(value), f"{where} Remarks a.k.a."), NameQuality.WEAK) for value in _weak(remarks)]
    facts = _remarks(remarks, where)
    entry_addresses = addresses.get(ent_num, [])
    countries = [*facts.countries, *(a.country for a in entry_addresses)]
    documents = list(facts.documents)
    if schema is Schema.VESSEL:
        countries.append(country_code(row[9]))
        if row[5]:
            documents.append(Document("Call Sign", row[5]))
    return ListEntry(
        ref=ent_num,
        schema=schema,
        names=unique_names(names),
        dobs=tuple(facts.dobs),
        nationalities=unique(facts.nationalities),
        countries=unique(countries),
        documents=tuple(dict.fromkeys(documents)),
        addresses=tuple(a for a in entry_addresses if a.text),
        programs=unique(part.strip(" []") for part in row[3].split("] [")),
        remarks=f"{row[4]}; {remarks}".strip("; ") if row[4] else remarks,
    )


def _weak(remarks: str) -> list[str]:
    return [match.strip() for match in _WEAK_AKA.findall(remarks) if match.strip()]


class _Facts:
    __slots__ = ("countries", "dobs", "documents", "nationalities")

    def __init__(self) -> None:
        self.dobs: list[BirthDate] = []
        self.nationalities: list[str | None] = []
        self.countries: list[str | None] = []
        self.documents: list[Document] = []


def _remarks(remarks: str, where: str) -> _Facts:
    """Dates of birth, nationalities, places of birth and documents from an SDN Remarks field."""
    facts = _Facts()
    for segment in remarks.split(";"):
        text = " ".join(segment.split()).rstrip(".")
        if not text:
            continue
        if match := _DOB.match(text):
            facts.dobs.append(_dob(match, where))
        elif match := _NATIONALITY.match(text):
            facts.nationalities.append(country_code(match.group(1)))
        elif match := _POB.match(text):
            facts.countries.append(country_code(match.group(1).rsplit(",", 1)[-1]))
        elif match := _DOCUMENT.match(text):
            kind, number = match.group("kind"), match.group("number").strip()
            imo = _IMO.search(number)
            documents = Document("IMO", imo.group(1)) if imo else Document(kind, number, country_code(match["country"]))
            facts.documents.append(documents)
    return facts


def _date(day: str | None, month: str | None, year: str, where: str) -> tuple[int, int | None, int | None]:
    month_number = _MONTHS.get(month.casefold()) if month else None
    if month and month_number is None:
        raise ListFormatError(f"{where}: DOB month {month!r} is not a month")
    if day and month_number:
        try:
            dt.date(int(year), month_number, int(day))
        except ValueError:
            raise ListFormatError(f"{where}: DOB {day} {month} {year} is not a date") from None
        return int(year), month_number, int(day)
    return int(year), month_number, None


def _dob(match: re.Match[str], where: str) -> BirthDate:
    circa = bool(match.group(1))
    year, month, day = _date(match.group(2), match.group(3), match.group(4), where)
    if match.group(7):
        end_year, _, _ = _date(match.group(5), match.group(6), match.group(7), where)
        return BirthDate.between(year, end_year)
    return BirthDate(year, year, month, day, approximate=circa)
