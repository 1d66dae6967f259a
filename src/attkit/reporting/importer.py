"""CSV import without a database: decode, read, map columns to fields, validate every row, report errors.

Errors carry a code and parameters, not sentences: the Django layer translates them (see messages.py).
The caller writes nothing unless `Parsed.ok` — all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from attkit.reporting import categories

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_CELL = 2000
ENCODINGS = ("utf-8", "latin-1")
FORMULA_STARTS = "=+-@"  # what spreadsheet programs read as the start of a formula


@dataclass(frozen=True)
class FieldSpec:
    """One field a CSV column can fill."""

    name: str
    kind: str  # text, int, decimal, date, year, country, countries, choice, category, currency, hs
    required: bool = False
    max_length: int = 0
    choices: Mapping[str, str] = field(default_factory=dict)  # accepted spelling (lower case) -> stored value
    aliases: tuple[str, ...] = ()  # other header names that map here by default


def _choices(pairs: Mapping[str, Iterable[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, spellings in pairs.items():
        out[value] = value
        for s in spellings:
            out[s] = value
    return out


DIRECTIONS = _choices(
    {
        "export": ("exports", "exportación", "exportacion", "x"),
        "import": ("imports", "importación", "importacion", "m"),
        "transit": ("tránsito", "transito"),
        "transshipment": ("trans-shipment", "transhipment", "transbordo"),
        "brokering": ("corretaje", "broker"),
    }
)
BASES = _choices(
    {"authorised": ("authorized", "authorisation", "autorizada", "autorizado"), "actual": ("real", "efectiva")}
)
END_USER_TYPES = _choices(
    {
        "armed_forces": ("armed forces", "military", "fuerzas armadas"),
        "law_enforcement": ("law enforcement", "police", "policía", "policia"),
        "other_government": ("government", "other government", "gobierno"),
        "private_company": ("company", "private company", "empresa"),
        "individual": ("person", "particular"),
        "other": ("otro",),
    }
)

RECORD_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("direction", "choice", required=True, choices=DIRECTIONS, aliases=("tipo", "direccion", "dirección")),
    FieldSpec("basis", "choice", required=True, choices=BASES, aliases=("authorised_or_actual", "base")),
    FieldSpec("year", "year", aliases=("año", "anio", "reporting_year")),
    FieldSpec("date", "date", aliases=("fecha", "transfer_date")),
    FieldSpec("category", "category", required=True, aliases=("categoria", "categoría", "att_category")),
    FieldSpec("quantity", "int", aliases=("number_of_items", "cantidad", "items")),
    FieldSpec("value", "decimal", aliases=("valor",)),
    FieldSpec("currency", "currency", aliases=("moneda",)),
    FieldSpec("model_type", "text", max_length=200, aliases=("model", "type", "modelo", "model/type")),
    FieldSpec("description", "text", max_length=500, aliases=("descripcion", "descripción", "description_of_items")),
    FieldSpec("hs_code", "hs", aliases=("hs", "codigo_sa", "código_sa")),
    FieldSpec("exporting_state", "country", aliases=("exporter_state", "estado_exportador", "exporter")),
    FieldSpec("importing_state", "country", aliases=("importer_state", "estado_importador", "final_importing_state")),
    FieldSpec("transit_states", "countries", aliases=("transit", "estados_de_transito", "estados_de_tránsito")),
    FieldSpec("state_of_origin", "country", aliases=("origin", "estado_de_origen")),
    FieldSpec("intermediate_location", "text", max_length=200, aliases=("ubicacion_intermedia",)),
    FieldSpec("end_user", "text", max_length=300, aliases=("usuario_final",)),
    FieldSpec("end_user_type", "choice", choices=END_USER_TYPES, aliases=("tipo_de_usuario_final",)),
    FieldSpec("licence_reference", "text", max_length=100, aliases=("license_reference", "licence", "licencia")),
    FieldSpec("euc_serial", "text", max_length=40, aliases=("euc", "certificado_usuario_final")),
    FieldSpec("comments", "text", max_length=500, aliases=("comentarios", "comments_on_the_transfer")),
)

CUSTOMS_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("number", "text", required=True, max_length=64, aliases=("declaration_number", "numero", "número")),
    FieldSpec("date", "date", required=True, aliases=("fecha", "declaration_date")),
    FieldSpec("hs_code", "hs", required=True, aliases=("hs", "codigo_sa", "código_sa")),
    FieldSpec("quantity", "int", required=True, aliases=("cantidad",)),
    FieldSpec("value", "decimal", aliases=("valor",)),
    FieldSpec("currency", "currency", aliases=("moneda",)),
    FieldSpec("licence_reference", "text", max_length=100, aliases=("license_reference", "licence", "licencia")),
    FieldSpec("direction", "choice", required=True, choices=DIRECTIONS, aliases=("tipo", "direccion")),
)


@dataclass(frozen=True)
class Problem:
    """One reason the file is refused. row is the line number in the file (the header is line 1), 0 for the file."""

    row: int
    column: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Parsed:
    headers: list[str]
    mapping: dict[str, str]  # CSV header -> field name
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line number, clean values)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Vocabulary:
    """The codes a row is checked against, given by the caller (reference data or constant lists)."""

    countries: frozenset[str]
    currencies: frozenset[str]
    categories: frozenset[str] = frozenset(categories.CODES)
    max_year: int = 2200


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing was written."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Text of the file: UTF-8 (a BOM is accepted) or Latin-1 when the user says so."""
    if len(data) > MAX_BYTES:
        raise FileRefused("too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    if encoding not in ENCODINGS:
        raise FileRefused("bad_encoding_choice", encoding=encoding)
    if encoding == "latin-1":
        return data.decode("latin-1").lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused("not_utf8", line=line, byte=exc.start) from None


def read_table(text: str, max_rows: int = MAX_ROWS) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows (with their line numbers); the delimiter is a comma or a semicolon."""
    if not text.strip():
        raise FileRefused("empty")
    if "\x00" in text:
        raise FileRefused("binary")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileRefused("no_header") from None
    headers = [h.strip() for h in header]
    if not any(headers):
        raise FileRefused("no_header")
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                raise FileRefused("too_many_rows", limit=max_rows)
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise FileRefused("csv_syntax", line=reader.line_num, detail=str(exc)) from None
    return headers, rows


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def default_mapping(
    headers: Sequence[str], fields: Sequence[FieldSpec], remembered: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Header -> field: the remembered choice first, then the attkit column name, then a known alias."""
    names = {f.name for f in fields}
    by_alias: dict[str, str] = {}
    for f in fields:
        by_alias[_key(f.name)] = f.name
        for a in f.aliases:
            by_alias.setdefault(_key(a), f.name)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for h in headers:
        target = (remembered or {}).get(h)
        if target in names and target not in taken:
            mapping[h] = target
            taken.add(target)
    for h in headers:
        if h in mapping:
            continue
        target = by_alias.get(_key(h))
        if target and target not in taken:
            mapping[h] = target
            taken.add(target)
    return mapping


def check_mapping(headers: Sequence[str], mapping: Mapping[str, str], fields: Sequence[FieldSpec]) -> list[Problem]:
    names = {f.name: f for f in fields}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for header, target in mapping.items():
        if not target:
            continue
        if header not in headers:
            problems.append(Problem(0, header, "no_such_column"))
        elif target not in names:
            problems.append(Problem(0, header, "unknown_field", {"field": target}))
        elif target in seen:
            problems.append(Problem(0, header, "mapped_twice", {"field": target, "other": seen[target]}))
        else:
            seen[target] = header
    for f in fields:
        if f.required and f.name not in seen:
            problems.append(Problem(0, f.name, "missing_column", {"field": f.name}))
    return problems


_INT = re.compile(r"^\d{1,3}(?:([,. '])\d{3})?(?:\1\d{3})*$|^\d+$")


def parse_int(raw: str) -> int:
    text = raw.strip()
    if text.startswith("-"):
        raise ValueError("negative")
    if not _INT.match(text):
        raise ValueError("not_whole_number")
    return int(re.sub(r"[,. ']", "", text))


def parse_decimal(raw: str) -> Decimal:
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if text.startswith("-"):
        raise ValueError("negative")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", text):  # 1.234,56
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):  # 1,234.56
        text = text.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", text):  # 1234,5
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError("not_a_number")
    value = Decimal(text)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("too_many_decimals")
    if value >= Decimal("1e16"):
        raise ValueError("too_big")
    return value


def parse_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("bad_date") from None


def _countries(raw: str) -> list[str]:
    return [p.strip().upper() for p in re.split(r"[;,|/\s]+", raw) if p.strip()]


def _cell(spec: FieldSpec, raw: str, vocab: Vocabulary, emit: Callable[[str, Mapping[str, Any]], None]) -> Any:
    """The clean value of one cell, or None after emitting a problem."""
    text = raw.strip()
    if len(text) > MAX_CELL:
        emit("too_long", {"max": MAX_CELL})
        return None
    kind = spec.kind
    try:
        if kind == "text":
            if spec.max_length and len(text) > spec.max_length:
                emit("too_long", {"max": spec.max_length})
                return None
            if len(text) > 1 and text[0] in FORMULA_STARTS:
                # A spreadsheet opening a report or export runs it (=HYPERLINK(...), =cmd|' /C calc'!A0).
                emit("formula", {"value": text[:40], "char": text[0]})
                return None
            return text
        if kind == "int":
            value = parse_int(text)
            if value >= 10**15:
                emit("too_big", {})
                return None
            return value
        if kind == "decimal":
            return parse_decimal(text)
        if kind == "date":
            return parse_date(text)
        if kind == "year":
            if not re.fullmatch(r"\d{4}", text) or not (1990 <= int(text) <= vocab.max_year):
                emit("bad_year", {"max": vocab.max_year})
                return None
            return int(text)
        if kind == "country":
            code = text.upper()
            if code not in vocab.countries:
                emit("bad_country", {"value": text[:40]})
                return None
            return code
        if kind == "countries":
            codes = _countries(text)
            bad = [c for c in codes if c not in vocab.countries]
            if bad:
                emit("bad_country", {"value": ", ".join(bad)[:40]})
                return None
            return codes
        if kind == "choice":
            choice = spec.choices.get(text.lower())
            if choice is None:
                emit("bad_choice", {"value": text[:40], "allowed": ", ".join(sorted(set(spec.choices.values())))})
            return choice
        if kind == "category":
            category = categories.normalize(text)
            if category is None or category not in vocab.categories:
                emit("bad_category", {"value": text[:40]})
                return None
            return category
        if kind == "currency":
            code = text.upper()
            if code not in vocab.currencies:
                emit("bad_currency", {"value": text[:40]})
                return None
            return code
        if kind == "hs":
            digits = re.sub(r"[.\s]", "", text)
            if not re.fullmatch(r"\d{2,10}", digits):
                emit("bad_hs", {"value": text[:40]})
                return None
            return digits
    except ValueError as exc:
        emit(str(exc), {})
        return None
    raise AssertionError(f"unknown field kind {kind}")


def validate(
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[str]]],
    mapping: Mapping[str, str],
    fields: Sequence[FieldSpec],
    vocab: Vocabulary,
    *,
    row_check: Callable[[dict[str, Any]], list[tuple[str, str, dict[str, Any]]]] | None = None,
) -> Parsed:
    """Every row checked against its fields, then `row_check` (cross-field rules) on the clean values."""
    mapping = {h: f for h, f in mapping.items() if f}
    parsed = Parsed(list(headers), dict(mapping), ignored=[h for h in headers if h and h not in mapping])
    parsed.problems.extend(check_mapping(headers, mapping, fields))
    if parsed.problems:
        return parsed
    specs = {f.name: f for f in fields}
    index = {h: i for i, h in enumerate(headers)}
    column_of = {f: h for h, f in mapping.items()}
    for line, cells in rows:
        if len(cells) > len(headers):
            parsed.problems.append(Problem(line, "", "too_many_cells", {"found": len(cells), "expected": len(headers)}))
            continue
        clean: dict[str, Any] = {}
        row_ok = True
        for name, spec in specs.items():
            header = column_of.get(name)
            raw = cells[index[header]] if header is not None and index[header] < len(cells) else ""
            if not raw.strip():
                if spec.required:
                    parsed.problems.append(Problem(line, header or name, "required"))
                    row_ok = False
                clean[name] = None
                continue

            def emit(code: str, params: Mapping[str, Any], _h: str = header or name, _line: int = line) -> None:
                parsed.problems.append(Problem(_line, _h, code, params))

            before = len(parsed.problems)
            clean[name] = _cell(spec, raw, vocab, emit)
            row_ok = row_ok and len(parsed.problems) == before
        if row_ok and row_check is not None:
            for fname, code, params in row_check(clean):
                parsed.problems.append(Problem(line, column_of.get(fname, fname), code, params))
                row_ok = False
        if row_ok:
            parsed.rows.append((line, clean))
    return parsed


def record_row_check(home_state: str) -> Callable[[dict[str, Any]], list[tuple[str, str, dict[str, Any]]]]:
    """Cross-field rules of a transfer record; fills the reporting state in where the row leaves it out."""

    def check(row: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        out: list[tuple[str, str, dict[str, Any]]] = []
        year, when = row.get("year"), row.get("date")
        if year is None and when is None:
            out.append(("year", "year_or_date", {}))
        elif year is not None and when is not None and when.year != year:
            out.append(("date", "year_date_mismatch", {"year": year}))
        elif year is None and when is not None:
            row["year"] = when.year
        if row.get("quantity") is None and row.get("value") is None:
            out.append(("quantity", "quantity_or_value", {}))
        if row.get("value") is not None and not row.get("currency"):
            out.append(("currency", "currency_needed", {}))
        direction = row.get("direction")
        if direction == "export":
            row["exporting_state"] = row.get("exporting_state") or home_state
            if not row.get("importing_state"):
                out.append(("importing_state", "required_for_export", {}))
        elif direction == "import":
            row["importing_state"] = row.get("importing_state") or home_state
            if not row.get("exporting_state"):
                out.append(("exporting_state", "required_for_import", {}))
        for key in ("year", "date", "quantity", "value", "currency", "transit_states"):
            if row.get(key) is None:
                row.pop(key, None)
        for key, value in list(row.items()):
            if value is None:
                row[key] = ""
        return out

    return check


def customs_row_check(row: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    if row.get("value") is not None and not row.get("currency"):
        out.append(("currency", "currency_needed", {}))
    if row.get("direction") not in (None, "export", "import"):
        out.append(("direction", "export_or_import", {}))
    for key in ("licence_reference", "currency"):
        if row.get(key) is None:
            row[key] = ""
    return out


def duplicates(parsed: Parsed, key: str, column: str) -> None:
    """Add a problem for every row that repeats an earlier row's `key` value."""
    seen: dict[Any, int] = {}
    for line, row in parsed.rows:
        value = row.get(key)
        if value in seen:
            parsed.problems.append(Problem(line, column, "duplicate_in_file", {"value": value, "first": seen[value]}))
        else:
            seen[value] = line
