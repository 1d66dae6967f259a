"""Readers for the reference data files (countries, categories, HS codes, crosswalk, embargoes); no Django."""

from __future__ import annotations

import csv
import gettext
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_FILE_BYTES = 2 * 1024 * 1024  # the packaged files are a few kB; anything larger is not ours

CATEGORY_KINDS = ("register", "salw", "salw_line", "national")
CATEGORY_GROUPS = ("", "small_arms", "light_weapons")
CROSSWALK_SCOPES = ("att", "national_definition", "outside_att")
EMBARGO_SCOPES = ("full", "partial", "non_state_actors", "listed_only")
IMPOSERS = ("UN", "EU")
# Marks the compilers of the embargo files used for facts they could not source.
UNVERIFIED_MARKS = re.compile(r"\(memory|\bunverified\b|\(verify\)", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_RESOLUTION = re.compile(r"\b(\d{3,4}) \((\d{4})\)")
_EU_ACT = re.compile(r"(?:Council )?Decision \(CFSP\) \d{4}/\d+")
_HS_CODE = re.compile(r"^\d{2}(\d{2}){0,2}$")


class DataFileError(ValueError):
    """A data file that does not have the shape the loader expects; names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{Path(path).name}:{line}" if line else Path(path).name
        super().__init__(f"{where}: {message}")


# Set metadata -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetMeta:
    """Where a set comes from: its files, source, licence, as-of date and where to verify it."""

    key: str
    files: tuple[str, ...]
    source: str
    licence: str
    as_of: date | None
    verify_at: str = ""


def read_manifest(data_dir: Path = DATA_DIR) -> dict[str, dict[str, Any]]:
    path = data_dir / "sets.json"
    raw = json.loads(_read_text(path))
    if not isinstance(raw, dict):
        raise DataFileError(path, None, "expected an object of sets")
    return raw


def set_meta(key: str, *, as_of: date | None = None, data_dir: Path = DATA_DIR) -> SetMeta:
    """The manifest entry of a set; `as_of` fills in a date the manifest computes from the data."""
    manifest = read_manifest(data_dir)
    if key not in manifest:
        raise DataFileError(data_dir / "sets.json", None, f"no set {key!r}")
    entry = manifest[key]
    source = str(entry["source"])
    declared = str(entry.get("as_of", ""))
    if declared == "pycountry":
        source = source.replace("{version}", pycountry_version())
        as_of = pycountry_as_of()
    elif declared != "rows":
        as_of = parse_iso_date(declared)
    return SetMeta(
        key=key,
        files=tuple(entry.get("files", ())),
        source=source,
        licence=str(entry.get("licence", "")),
        as_of=as_of,
        verify_at=str(entry.get("verify_at", "")),
    )


def files_digest(names: Iterable[str], data_dir: Path = DATA_DIR) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()


def parse_iso_date(text: str) -> date | None:
    """The leading YYYY-MM-DD of a text, or None ("2024-03-28 (latest change found)" gives 2024-03-28)."""
    match = _ISO_DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# Countries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryRow:
    alpha2: str
    alpha3: str
    numeric: str
    name_en: str
    name_es: str
    official_name_en: str
    in_lac: bool


def pycountry_version() -> str:
    return metadata.version("pycountry")


def pycountry_as_of() -> date | None:
    """pycountry versions are dates (26.2.16 is 2026-02-16): the date of its ISO 3166 data."""
    parts = pycountry_version().split(".")
    try:
        year, month, day = (int(p) for p in parts[:3])
        return date(2000 + year if year < 100 else year, month, day)
    except ValueError:
        return None


def read_lac_states(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The 33 states of Latin America and the Caribbean: alpha-2 code to English name."""
    path = data_dir / "lac_states.csv"
    states: dict[str, str] = {}
    for line, row in _rows(path, ("alpha2", "name_en")):
        code = row["alpha2"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise DataFileError(path, line, f"bad alpha-2 code {code!r}")
        states[code] = row["name_en"].strip()
    return states


def read_countries(data_dir: Path = DATA_DIR) -> list[CountryRow]:
    """Every ISO 3166-1 country of pycountry, Spanish names from its gettext catalog, the LAC flag."""
    import pycountry

    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)
    overrides = {
        row["alpha2"].strip().upper(): row["name_es"].strip()
        for _line, row in _rows(data_dir / "country_names_es.csv", ("alpha2", "name_es"))
    }
    lac = read_lac_states(data_dir)
    rows = []
    for country in pycountry.countries:
        code = str(country.alpha_2)
        rows.append(
            CountryRow(
                alpha2=code,
                alpha3=str(country.alpha_3),
                numeric=str(country.numeric),
                name_en=str(country.name),
                name_es=overrides.get(code) or spanish.gettext(str(country.name)),
                official_name_en=str(getattr(country, "official_name", "") or ""),
                in_lac=code in lac,
            )
        )
    missing = set(lac) - {r.alpha2 for r in rows}
    if missing:
        raise DataFileError(data_dir / "lac_states.csv", None, f"codes not in ISO 3166-1: {sorted(missing)}")
    return rows


# Categories ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    code: str
    kind: str
    parent: str
    group: str
    line: int | None
    att_article: str
    name_en: str
    name_es: str
    description_en: str
    description_es: str
    note_en: str
    note_es: str
    source: str


def read_categories(data_dir: Path = DATA_DIR) -> list[CategoryRow]:
    path = data_dir / "categories.csv"
    columns = ("code", "kind", "parent", "group", "line", "att_article", "name_en", "name_es")
    rows: list[CategoryRow] = []
    seen: set[str] = set()
    for line, row in _rows(path, columns):
        code = row["code"].strip()
        if not code or code in seen:
            raise DataFileError(path, line, f"missing or repeated code {code!r}")
        if row["kind"] not in CATEGORY_KINDS:
            raise DataFileError(path, line, f"kind must be one of {', '.join(CATEGORY_KINDS)}")
        if row["group"] not in CATEGORY_GROUPS:
            raise DataFileError(
                path, line, f"group must be one of {', '.join(g or '(blank)' for g in CATEGORY_GROUPS)}"
            )
        parent = row["parent"].strip()
        if parent and parent not in seen:
            raise DataFileError(path, line, f"parent {parent!r} must come before its children")
        if not row["name_en"].strip() or not row["name_es"].strip():
            raise DataFileError(path, line, "a category needs its name in English and Spanish")
        seen.add(code)
        rows.append(
            CategoryRow(
                code=code,
                kind=row["kind"],
                parent=parent,
                group=row["group"],
                line=int(row["line"]) if row["line"].strip() else None,
                att_article=row["att_article"].strip(),
                name_en=row["name_en"].strip(),
                name_es=row["name_es"].strip(),
                description_en=row.get("description_en", "").strip(),
                description_es=row.get("description_es", "").strip(),
                note_en=row.get("note_en", "").strip(),
                note_es=row.get("note_es", "").strip(),
                source=row.get("source", "").strip(),
            )
        )
    return rows


# HS codes and the crosswalk -----------------------------------------------------------------------


@dataclass(frozen=True)
class HsRow:
    code: str
    level: int
    parent: str
    section: str
    description: str


def normalise_hs(text: str) -> str:
    """'9301.10', '9301 10' or the 8-digit national '93011000' to the digits of an HS code (at most 6)."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits.isdigit():
        return ""
    return digits[:6]


def dotted(code: str) -> str:
    """9301 stays, 930110 becomes 9301.10 (the way customs documents write it)."""
    return f"{code[:4]}.{code[4:]}" if len(code) == 6 else code


def read_hs(data_dir: Path = DATA_DIR) -> list[HsRow]:
    path = data_dir / "hs2022_arms.csv"
    rows: list[HsRow] = []
    codes: set[str] = set()
    for line, row in _rows(path, ("section", "hscode", "description", "parent", "level")):
        code = row["hscode"].strip()
        if not _HS_CODE.match(code) or code in codes:
            raise DataFileError(path, line, f"bad or repeated HS code {code!r}")
        if str(len(code)) != row["level"].strip():
            raise DataFileError(path, line, f"level {row['level']!r} does not match code {code!r}")
        codes.add(code)
        rows.append(HsRow(code, len(code), row["parent"].strip(), row["section"].strip(), row["description"].strip()))
    return sorted(rows, key=lambda r: (r.level, r.code))


@dataclass(frozen=True)
class CrosswalkRow:
    hs_code: str
    category: str  # blank for a scope row (national definition, outside the ATT)
    scope: str
    note_en: str
    note_es: str
    source: str


def read_crosswalk(data_dir: Path = DATA_DIR) -> list[CrosswalkRow]:
    path = data_dir / "crosswalk.csv"
    rows: list[CrosswalkRow] = []
    seen: set[tuple[str, str]] = set()
    for line, row in _rows(path, ("hs_code", "category", "scope", "note_en", "note_es", "source")):
        code = normalise_hs(row["hs_code"])
        category = row["category"].strip()
        scope = row["scope"].strip()
        if not code:
            raise DataFileError(path, line, f"bad HS code {row['hs_code']!r}")
        if scope not in CROSSWALK_SCOPES:
            raise DataFileError(path, line, f"scope must be one of {', '.join(CROSSWALK_SCOPES)}")
        if (scope == "att") != bool(category):
            raise DataFileError(path, line, "a link to a category has scope 'att'; a scope row has no category")
        if (code, category) in seen:
            raise DataFileError(path, line, f"repeated link {code} -> {category or scope}")
        if not row["note_en"].strip() or not row["note_es"].strip() or not row["source"].strip():
            raise DataFileError(path, line, "each link needs a note in English and Spanish and a source")
        seen.add((code, category))
        rows.append(
            CrosswalkRow(code, category, scope, row["note_en"].strip(), row["note_es"].strip(), row["source"].strip())
        )
    return rows


# Embargoes ----------------------------------------------------------------------------------------

_EMBARGO_COLUMNS = (
    "target",
    "target_iso2",
    "scope",
    "covers_exports_from_target",
    "establishing_resolution",
    "latest_resolutions",
    "committee",
    "expires",
    "status_as_of",
    "notes",
    "source",
)
_MARKED_FIELDS = (
    "target",
    "establishing_resolution",
    "latest_resolutions",
    "committee",
    "expires",
    "status_as_of",
    "notes",
    "source",
)


@dataclass(frozen=True)
class EmbargoRow:
    key: str
    target: str
    target_iso2: str
    scope: str
    exports_banned: bool
    establishing_resolution: str
    latest_resolutions: str
    committee: str
    expires: str
    status_as_of: str
    notes: str
    source: str
    imposed_by: str
    reference: str
    unverified_fields: tuple[str, ...]

    @property
    def verified(self) -> bool:
        return not self.unverified_fields

    @property
    def status_date(self) -> date | None:
        return parse_iso_date(self.status_as_of)


def read_embargoes(filename: str, *, default_imposed_by: str = "UN", data_dir: Path = DATA_DIR) -> list[EmbargoRow]:
    """One row per regime; a row whose text carries a '(memory)' or 'unverified' mark is unverified."""
    path = data_dir / filename
    rows: list[EmbargoRow] = []
    keys: set[str] = set()
    for line, row in _rows(path, _EMBARGO_COLUMNS):
        iso2 = row["target_iso2"].strip().upper()
        if iso2 and not re.fullmatch(r"[A-Z]{2}", iso2):
            raise DataFileError(path, line, f"bad ISO code {iso2!r}")
        scope = row["scope"].strip()
        if scope not in EMBARGO_SCOPES:
            raise DataFileError(path, line, f"scope must be one of {', '.join(EMBARGO_SCOPES)}")
        exports = row["covers_exports_from_target"].strip().lower()
        if exports not in ("yes", "no"):
            raise DataFileError(path, line, "covers_exports_from_target must be yes or no")
        imposed_by = (row.get("imposed_by") or default_imposed_by).strip().upper()
        if imposed_by not in IMPOSERS:
            raise DataFileError(path, line, f"imposed_by must be one of {', '.join(IMPOSERS)}")
        if not row["target"].strip() or not row["source"].strip():
            raise DataFileError(path, line, "each embargo needs a target and a source")
        establishing = row["establishing_resolution"].strip()
        key = _embargo_key(imposed_by, iso2, establishing)
        if key in keys:
            raise DataFileError(path, line, f"two rows for {key}")
        keys.add(key)
        rows.append(
            EmbargoRow(
                key=key,
                target=row["target"].strip(),
                target_iso2=iso2,
                scope=scope,
                exports_banned=exports == "yes",
                establishing_resolution=establishing,
                latest_resolutions=row["latest_resolutions"].strip(),
                committee=row["committee"].strip(),
                expires=row["expires"].strip(),
                status_as_of=row["status_as_of"].strip(),
                notes=row["notes"].strip(),
                source=row["source"].strip(),
                imposed_by=imposed_by,
                reference=short_reference(imposed_by, establishing),
                unverified_fields=tuple(f for f in _MARKED_FIELDS if UNVERIFIED_MARKS.search(row[f] or "")),
            )
        )
    return rows


def short_reference(imposed_by: str, establishing: str) -> str:
    """'S/RES/1718 (2006)' for the UN, the first Council Decision for the EU."""
    if imposed_by == "UN":
        match = _RESOLUTION.search(establishing)
        if match:
            return f"S/RES/{match[1]} ({match[2]})"
    else:
        eu = _EU_ACT.search(establishing)
        if eu:
            return eu[0]
    return establishing.split("[", maxsplit=1)[0].strip()[:120]


def latest_status_date(rows: Iterable[EmbargoRow]) -> date | None:
    dates = [d for d in (r.status_date for r in rows) if d is not None]
    return max(dates) if dates else None


def _embargo_key(imposed_by: str, iso2: str, establishing: str) -> str:
    if iso2:
        return f"{imposed_by}-{iso2}".lower()
    match = _RESOLUTION.search(establishing)
    tail = match[1] if match else hashlib.sha256(establishing.encode()).hexdigest()[:8]
    return f"{imposed_by}-res-{tail}".lower()


# Files --------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise DataFileError(path, None, "file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DataFileError(path, None, f"larger than {MAX_FILE_BYTES} bytes")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, None, f"not UTF-8 ({exc.reason})") from exc


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DataFileError(path, 1, f"missing columns: {', '.join(missing)}")
    for row in reader:
        if None in row:
            raise DataFileError(path, reader.line_num, "more cells than columns")
        yield reader.line_num, {k: (v or "") for k, v in row.items()}
