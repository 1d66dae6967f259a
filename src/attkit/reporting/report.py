"""The ATT annual report and the UN Register report as data: layouts, lines folded from aggregates, CSV and JSON.

No Django import. The service runs one aggregated query and hands its rows here; the XLSX writer
(xlsx.py), the CSV and JSON writers below and the preview page all read the same `Report`.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from attkit.reporting import categories

LAYOUT_DIR = Path(__file__).resolve().parent / "layouts"
LAYOUTS = {"att": "att_2017", "unroca": "unroca"}
MAX_DESCRIPTIONS = 12  # a line lists at most this many distinct items, then "and N more"


class Aggregate(NamedTuple):
    """One row of the report's GROUP BY (one authority, one year, one basis, current records)."""

    direction: str
    category: str
    partner: str
    currency: str
    model_type: str
    description: str
    comments: str
    quantity: int | None
    value: Decimal | None
    records: int
    origin: str = ""
    intermediate: str = ""


@dataclass
class Line:
    category: str
    partner: str
    quantity: int | None = None
    value: Decimal | None = None
    currency: str = ""
    origin: str = ""
    intermediate: str = ""
    items: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    records: int = 0

    def description_text(self, more: str = "and {n} more") -> str:
        shown = self.items[:MAX_DESCRIPTIONS]
        text = "; ".join(shown)
        if len(self.items) > MAX_DESCRIPTIONS:
            text += "; " + more.format(n=len(self.items) - MAX_DESCRIPTIONS)
        return text

    def comments_text(self) -> str:
        return "; ".join(self.comments)


@dataclass
class Panel:
    key: str
    direction: str
    lines: list[Line] = field(default_factory=list)

    @property
    def nil(self) -> bool:
        return not self.lines

    def total_quantity(self) -> int:
        return sum(line.quantity or 0 for line in self.lines)

    def total_values(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            if line.value is not None:
                out[line.currency] += line.value
        return dict(out)


@dataclass
class Report:
    kind: str  # "att" or "unroca"
    layout: dict[str, Any]
    state: str  # ISO code of the reporting state
    state_name: str
    authority_name: str
    year: int
    basis: str
    withheld: bool
    generated: str  # ISO date
    panels: list[Panel]
    definitions: str = ""
    excluded: dict[str, int] = field(default_factory=dict)  # category -> records left out (Art. 3, Art. 4)
    partner_names: dict[str, str] = field(default_factory=dict)

    @property
    def nil(self) -> bool:
        return all(p.nil for p in self.panels)

    def panel(self, key: str) -> Panel:
        return next(p for p in self.panels if p.key == key)

    def partner_name(self, code: str) -> str:
        return self.partner_names.get(code, code)


@cache
def _layout_file(name: str) -> str:
    return (LAYOUT_DIR / f"{name}.json").read_text(encoding="utf-8")


def load_layout(kind: str) -> dict[str, Any]:
    """The layout of a report kind, with each panel's category rows resolved."""
    data: dict[str, Any] = json.loads(_layout_file(LAYOUTS[kind]))
    for panel in data["panels"]:
        if isinstance(panel["category_rows"], str):
            panel["category_rows"] = data[panel["category_rows"]]
    return data


def text(value: Mapping[str, str] | str, lang: str) -> str:
    """A layout label in the language asked for (English when the layout has no such language)."""
    if isinstance(value, str):
        return value
    return value.get(lang[:2]) or value.get("en", "")


def panel_codes(panel_layout: Mapping[str, Any]) -> list[str]:
    return [row["code"] for row in panel_layout["category_rows"] if "code" in row]


def fold(kind: str, aggregates: Iterable[Aggregate], layout: Mapping[str, Any]) -> tuple[list[Panel], dict[str, int]]:
    """Report lines from the aggregate rows: one line per category and partner (UN Register: and origin,
    intermediate location), values kept per currency, distinct items and comments listed."""
    excluded_codes = set(layout.get("excluded_categories", ()))
    panel_of: dict[tuple[str, str], str] = {}
    first_panel: dict[str, str] = {}
    for panel in layout["panels"]:
        first_panel.setdefault(panel["direction"], panel["key"])
        for code in panel_codes(panel):
            panel_of[(panel["direction"], code)] = panel["key"]
    unroca = kind == "unroca"
    # key -> [{currency: [quantity, value, records]}, {(model, description)}, {comments}]
    groups: dict[tuple[str, ...], tuple[dict[str, list[Any]], set[tuple[str, str]], set[str]]] = {}
    excluded: dict[str, int] = defaultdict(int)
    for row in aggregates:
        direction, category = row.direction, row.category
        if direction not in first_panel:
            continue
        if category in excluded_codes:
            excluded[category] += row.records
            continue
        # A code the layout has no row for still goes into the direction's first panel: never lost.
        panel_key = panel_of.get((direction, category)) or first_panel[direction]
        key: tuple[str, ...] = (
            (panel_key, category, row.partner, row.origin, row.intermediate)
            if unroca
            else (panel_key, category, row.partner)
        )
        g = groups.get(key)
        if g is None:
            g = groups[key] = ({}, set(), set())
        slot = g[0].get(row.currency)
        if slot is None:
            slot = g[0][row.currency] = [None, None, 0]
        if row.quantity is not None:
            slot[0] = row.quantity if slot[0] is None else slot[0] + row.quantity
        if row.value is not None:
            slot[1] = row.value if slot[1] is None else slot[1] + row.value
        slot[2] += row.records
        if row.model_type or row.description:
            g[1].add((row.model_type, row.description))
        if row.comments:
            g[2].add(row.comments)
    lines_by_panel: dict[str, list[Line]] = defaultdict(list)
    for key, (by_currency, pairs, comments) in groups.items():
        panel_key, category, partner = key[0], key[1], key[2]
        origin, intermediate = (key[3], key[4]) if unroca else ("", "")
        items = sorted({" — ".join(p for p in (m.strip(), d.strip()) if p) for m, d in pairs} - {""})
        notes = sorted({c.strip() for c in comments} - {""})
        for currency, quantity, value, records in _split_currencies(by_currency, kind):
            lines_by_panel[panel_key].append(
                Line(category, partner, quantity, value, currency, origin, intermediate, items, notes, records)
            )
    panels: list[Panel] = []
    for panel in layout["panels"]:
        order = {code: i for i, code in enumerate(panel_codes(panel))}
        lines = sorted(
            lines_by_panel.get(panel["key"], []),
            key=lambda ln: (
                order.get(ln.category, len(order)),
                categories.sort_key(ln.category),
                ln.partner,
                ln.origin,
                ln.intermediate,
                ln.currency,
            ),
        )
        panels.append(Panel(panel["key"], panel["direction"], lines))
    return panels, dict(excluded)


def _split_currencies(
    by_currency: Mapping[str, list[Any]], kind: str
) -> list[tuple[str, int | None, Decimal | None, int]]:
    """One line per currency; quantities recorded without a value join the line of the only currency."""
    slots = list(by_currency.values())
    if kind == "unroca":  # the UN Register asks for the number of items only
        known = [s[0] for s in slots if s[0] is not None]
        return [("", sum(known) if known else None, None, sum(s[2] for s in slots))]
    plain = by_currency.get("")
    if len(slots) == 1:
        ((currency, (q, v, n)),) = by_currency.items()
        return [(currency, q, v, n)]
    out: list[tuple[str, int | None, Decimal | None, int]] = []
    for i, currency in enumerate(sorted(c for c in by_currency if c)):
        q, v, n = by_currency[currency]
        if i == 0 and plain is not None:
            q = None if q is None and plain[0] is None else (q or 0) + (plain[0] or 0)
            n += plain[2]
        out.append((currency, q, v, n))
    return out


def category_labels(layout: Mapping[str, Any], lang: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for panel in layout["panels"]:
        for row in panel["category_rows"]:
            if "code" in row:
                labels.setdefault(row["code"], text(row["label"], lang))
    return labels


def _fmt_decimal(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


CSV_COLUMNS = (
    "panel",
    "direction",
    "category",
    "category_label",
    "partner_state",
    "partner_name",
    "state_of_origin",
    "intermediate_location",
    "quantity",
    "value",
    "currency",
    "description",
    "comments",
    "records",
    "note",
)


def spreadsheet_text(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe,
    which spreadsheet programs read as "this is text" (CSV injection); other values pass unchanged."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(report: Report, lang: str = "en") -> bytes:
    """One row per report line; a nil panel gets one row saying so. UTF-8 with a BOM for spreadsheet programs."""
    labels = category_labels(report.layout, lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for panel in report.panels:
        if panel.nil:
            writer.writerow([panel.key, panel.direction, "", "", "", "", "", "", "", "", "", "", "", 0, "nil report"])
            continue
        for ln in panel.lines:
            writer.writerow(
                [
                    panel.key,
                    panel.direction,
                    ln.category,
                    labels.get(ln.category, categories.label(ln.category, lang)),
                    ln.partner,
                    report.partner_name(ln.partner),
                    ln.origin,
                    spreadsheet_text(ln.intermediate),
                    "" if ln.quantity is None else ln.quantity,
                    _fmt_decimal(ln.value),
                    ln.currency,
                    spreadsheet_text(ln.description_text(text(report.layout["about"]["more_items"], lang))),
                    spreadsheet_text(ln.comments_text()),
                    ln.records,
                    "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_dict(report: Report, lang: str = "en") -> dict[str, Any]:
    labels = category_labels(report.layout, lang)
    return {
        "report": report.kind,
        "layout": report.layout["id"],
        "reporting_state": report.state,
        "reporting_state_name": report.state_name,
        "authority": report.authority_name,
        "year": report.year,
        "basis": report.basis,
        "sensitive_data_withheld": report.withheld,
        "generated": report.generated,
        "nil_report": report.nil,
        "panels": [
            {
                "key": panel.key,
                "direction": panel.direction,
                "nil_report": panel.nil,
                "total_quantity": panel.total_quantity(),
                "total_value": {c: _fmt_decimal(v) for c, v in sorted(panel.total_values().items())},
                "lines": [
                    {
                        "category": ln.category,
                        "category_label": labels.get(ln.category, categories.label(ln.category, lang)),
                        "partner_state": ln.partner,
                        "partner_name": report.partner_name(ln.partner),
                        **(
                            {"state_of_origin": ln.origin, "intermediate_location": ln.intermediate}
                            if report.kind == "unroca"
                            else {}
                        ),
                        "quantity": ln.quantity,
                        "value": _fmt_decimal(ln.value) or None,
                        "currency": ln.currency or None,
                        "items": ln.items,
                        "comments": ln.comments,
                        "records": ln.records,
                    }
                    for ln in panel.lines
                ],
            }
            for panel in report.panels
        ],
        "national_definitions": report.definitions if report.kind == "att" else None,
        "excluded_categories": report.excluded,
    }


def to_json(report: Report, lang: str = "en") -> bytes:
    return json.dumps(to_dict(report, lang), ensure_ascii=False, indent=2).encode("utf-8")


def unverified_items(layout: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """(status, label) of every layout item that is not verbatim: what to check before submitting."""
    out: list[tuple[str, str]] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            status = node.get("status")
            label = node.get("label") or node.get("text") or node.get("title") or node.get("heading")
            if status in ("P", "U") and label is not None:
                out.append((status, text(label, lang)))
            for key, value in node.items():
                if key not in ("label", "text", "title", "legend"):
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit({k: v for k, v in layout.items() if k != "category_rows"})
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in out:
        if item not in seen:
            seen.add(item)
            unique.append(item)
    return unique


def rows_for_panel(panel_layout: Mapping[str, Any], panel: Panel) -> list[tuple[Mapping[str, Any], list[Line]]]:
    """The layout's category rows in order, each with its lines (headings carry none); codes the layout lacks last."""
    by_code: dict[str, list[Line]] = defaultdict(list)
    for ln in panel.lines:
        by_code[ln.category].append(ln)
    out: list[tuple[Mapping[str, Any], list[Line]]] = []
    known: set[str] = set()
    for row in panel_layout["category_rows"]:
        code = row.get("code")
        if code:
            known.add(code)
        out.append((row, by_code.get(code, []) if code else []))
    for code in sorted(set(by_code) - known, key=categories.sort_key):
        out.append(({"code": code, "label": {"en": code}, "status": "A"}, by_code[code]))
    return out


def check_layout(layout: Mapping[str, Any]) -> list[str]:
    """Problems with a layout file (used by the tests, and worth running after editing one)."""
    problems: list[str] = []
    for key in ("id", "kind", "name", "title_page", "panels", "legend"):
        if key not in layout:
            problems.append(f"missing key {key!r}")
    for panel in layout.get("panels", []):
        cols = [c["key"] for c in panel.get("columns", [])]
        if cols[:1] != ["category"] or "partner" not in cols:
            problems.append(f"panel {panel.get('key')}: columns must start with category and include partner")
        for row in panel.get("category_rows", []):
            code = row.get("code")
            if code is not None and code not in categories.BY_CODE:
                problems.append(f"panel {panel.get('key')}: unknown category code {code!r}")
            if row.get("status") not in ("V", "P", "U", "A"):
                problems.append(f"panel {panel.get('key')}: row {code or row.get('heading')} has no status")
    return problems
