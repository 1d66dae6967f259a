"""Read treaty-status CSV files without a database: the state table (att_status.csv) or annual reports.

State table columns: state, iso2, region, signed, ratified_or_acceded, kind, entry_into_force, source, as_of,
and optionally initial_report, initial_report_source, reports_tracked_from, notes.
Annual-report table columns: iso2, year, submitted_on, source.
Dates are ISO (YYYY-MM-DD) or empty (unknown). Problems use the codes of attkit.reporting.importer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from attkit.reporting.importer import FileRefused, Problem, decode, read_table

STATE_COLUMNS = (
    "state",
    "iso2",
    "region",
    "signed",
    "ratified_or_acceded",
    "kind",
    "entry_into_force",
    "source",
    "as_of",
)
STATE_OPTIONAL = ("initial_report", "initial_report_source", "reports_tracked_from", "notes")
REPORT_COLUMNS = ("iso2", "year", "submitted_on", "source")
KINDS = {"ratification", "accession", "acceptance", "approval"}
REGIONS = {"lac": "LAC", "other": "other"}


@dataclass
class Table:
    kind: str  # "states" or "reports"
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _date(value: str, line: int, column: str, problems: list[Problem]) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.append(Problem(line, column, "bad_date"))
        return None


def parse(data: bytes, countries: frozenset[str], encoding: str = "utf-8") -> Table:
    headers, rows = read_table(decode(data, encoding), max_rows=5000)
    keys = [h.strip().lower() for h in headers]
    if set(REPORT_COLUMNS) <= set(keys) and "state" not in keys:
        table = Table("reports")
        required: tuple[str, ...] = REPORT_COLUMNS
    else:
        table = Table("states")
        required = STATE_COLUMNS
    missing = [c for c in required if c not in keys]
    if missing:
        for c in missing:
            table.problems.append(Problem(0, c, "missing_column", {"field": c}))
        return table
    seen: dict[Any, int] = {}
    for line, cells in rows:
        row = {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(keys)}
        before = len(table.problems)
        iso2 = row["iso2"].upper()
        if iso2 not in countries:
            table.problems.append(Problem(line, "iso2", "bad_country", {"value": row["iso2"][:40]}))
        if table.kind == "states":
            clean = _state_row(row, line, table.problems)
            key: Any = iso2
        else:
            clean = _report_row(row, line, table.problems)
            key = (iso2, clean.get("year"))
        clean["iso2"] = iso2
        clean["_line"] = line
        if key in seen:
            table.problems.append(Problem(line, "iso2", "duplicate_in_file", {"value": iso2, "first": seen[key]}))
        seen.setdefault(key, line)
        if len(table.problems) == before:
            table.rows.append(clean)
    return table


def _state_row(row: dict[str, str], line: int, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {"name_en": row["state"][:200]}
    if not out["name_en"]:
        problems.append(Problem(line, "state", "required"))
    region = REGIONS.get(row["region"].lower())
    if region is None:
        problems.append(Problem(line, "region", "bad_choice", {"value": row["region"][:40], "allowed": "LAC, other"}))
    out["region"] = region or "other"
    kind = row["kind"].lower()
    if kind and kind not in KINDS:
        problems.append(Problem(line, "kind", "bad_choice", {"value": kind[:40], "allowed": ", ".join(sorted(KINDS))}))
    out["consent_kind"] = kind if kind in KINDS else ""
    out["signed"] = _date(row["signed"], line, "signed", problems)
    out["consented"] = _date(row["ratified_or_acceded"], line, "ratified_or_acceded", problems)
    out["entry_into_force"] = _date(row["entry_into_force"], line, "entry_into_force", problems)
    out["source"] = row["source"][:5000]
    out["as_of"] = row["as_of"][:200]
    if "initial_report" in row:
        out["initial_report"] = _date(row["initial_report"], line, "initial_report", problems)
        out["initial_report_recorded"] = out["initial_report"] is not None
    if "initial_report_source" in row:
        out["initial_report_source"] = row["initial_report_source"][:5000]
        if out.get("initial_report_recorded") and not out["initial_report_source"]:
            problems.append(Problem(line, "initial_report_source", "required"))
    if row.get("reports_tracked_from"):
        value = row["reports_tracked_from"]
        if not re.fullmatch(r"\d{4}", value):
            problems.append(Problem(line, "reports_tracked_from", "bad_year", {"max": 2100}))
        else:
            out["reports_tracked_from"] = int(value)
    if "notes" in row:
        out["notes"] = row["notes"][:5000]
    return out


def _report_row(row: dict[str, str], line: int, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not re.fullmatch(r"\d{4}", row["year"]) or not 2014 <= int(row["year"]) <= 2100:
        problems.append(Problem(line, "year", "bad_year", {"max": 2100}))
    else:
        out["year"] = int(row["year"])
    out["submitted_on"] = _date(row["submitted_on"], line, "submitted_on", problems)
    out["source"] = row["source"][:5000]
    if not out["source"]:
        problems.append(Problem(line, "source", "required"))
    return out


__all__ = ["FileRefused", "Table", "parse"]
