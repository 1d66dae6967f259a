"""Write a `Report` as an XLSX workbook laid out by its layout file (openpyxl; no Django)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from attkit.reporting.report import Report, rows_for_panel, text, unverified_items

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DFE1E2")
HEADING_FILL = PatternFill("solid", fgColor="F0F0F0")
WRAP = Alignment(wrap_text=True, vertical="top")
TICK, NO_TICK = "☒", "☐"


def _sheet_title(name: str, taken: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    title, n = clean, 2
    while title in taken:
        suffix = f" ({n})"
        title = clean[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _write_lines(ws: Worksheet, row: int, lines: list[str], font: Font | None = None) -> int:
    for line in lines:
        cell = ws.cell(row=row, column=1, value=line)
        if font is not None:
            cell.font = font
        row += 1
    return row


def render(report: Report, lang: str = "en") -> bytes:
    layout = report.layout
    wb = Workbook()
    taken: set[str] = set()
    title_ws = wb.active
    assert title_ws is not None
    _title_page(title_ws, report, lang, taken)
    for panel_layout in layout["panels"]:
        panel = report.panel(panel_layout["key"])
        nil_layout = panel_layout.get("nil", {})
        if panel.nil and "sheet" in nil_layout:
            _nil_sheet(wb.create_sheet(_sheet_title(text(nil_layout["sheet"], lang), taken)), report, nil_layout, lang)
        else:
            ws = wb.create_sheet(_sheet_title(text(panel_layout["sheet"], lang), taken))
            _panel_sheet(ws, report, panel_layout, panel, lang)
    if "annex_definitions" in layout:
        annex = layout["annex_definitions"]
        ws = wb.create_sheet(_sheet_title(text(annex["sheet"], lang), taken))
        ws.column_dimensions["A"].width = 110
        ws.cell(row=1, column=1, value=text(annex["title"], lang)).font = TITLE
        body = report.definitions.strip() or text(annex["empty"], lang)
        row = 3
        for paragraph in body.splitlines() or [""]:
            ws.cell(row=row, column=1, value=paragraph).alignment = WRAP
            row += 1
    _about_sheet(wb.create_sheet(_sheet_title(text(layout["about"]["sheet"], lang), taken)), report, lang)
    _no_formulas(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _no_formulas(wb: Workbook) -> None:
    """Text is text: openpyxl writes any string starting with "=" as a formula, so a record's description or the
    national definitions could otherwise put a live formula (=HYPERLINK, =cmd|...) into the report. The
    workbook has no formulas of its own."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _title_page(ws: Worksheet, report: Report, lang: str, taken: set[str]) -> None:
    page = report.layout["title_page"]
    ws.title = _sheet_title(text(page["sheet"], lang), taken)
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["B"].width = 50
    row = _write_lines(ws, 1, text(page["heading"]["text"], lang).split("\n"), TITLE) + 1
    yes, no = text(page["yes"], lang), text(page["no"], lang)
    values: dict[str, str | int] = {
        "state": f"{report.state_name} ({report.state})",
        "authority": report.authority_name,
        "year": report.year,
        "basis": text(page["basis_values"][report.basis], lang),
        "withheld": yes if report.withheld else no,
        "generated": report.generated,
    }
    for fld in page["fields"]:
        if fld["key"] == "contents":
            continue
        ws.cell(row=row, column=1, value=text(fld["label"], lang)).font = BOLD
        ws.cell(row=row, column=1).alignment = WRAP
        ws.cell(row=row, column=2, value=values.get(fld["key"], "")).alignment = WRAP
        row += 1
    contents_field = next((f for f in page["fields"] if f["key"] == "contents"), None)
    if contents_field and page.get("contents"):
        row += 1
        ws.cell(row=row, column=1, value=text(contents_field["label"], lang)).font = BOLD
        row += 1
        included = _included_forms(report)
        for item in page["contents"]:
            mark = TICK if item["key"] in included else NO_TICK
            ws.cell(row=row, column=1, value=f"{mark} {text(item['label'], lang)}")
            row += 1


def _included_forms(report: Report) -> set[str]:
    keys: set[str] = set()
    for panel in report.panels:
        keys.add(f"nil_{panel.direction}" if panel.nil else panel.direction)
    if report.definitions.strip():
        keys.add("annex_definitions")
    return keys


def _nil_sheet(ws: Worksheet, report: Report, nil_layout: Mapping[str, Any], lang: str) -> None:
    ws.column_dimensions["A"].width = 100
    ws.cell(row=1, column=1, value=text(nil_layout["title"], lang)).font = TITLE
    ws.cell(row=3, column=1, value=f"{report.state_name} ({report.state}) · {report.year}")
    ws.cell(row=4, column=1, value=text(nil_layout["text"], lang)).alignment = WRAP


def _panel_sheet(ws: Worksheet, report: Report, panel_layout: Mapping[str, Any], panel: Any, lang: str) -> None:
    columns = panel_layout["columns"]
    ws.cell(row=1, column=1, value=text(panel_layout["heading"]["text"], lang)).font = TITLE
    ws.cell(row=2, column=1, value=f"{report.state_name} ({report.state}) · {report.year}")
    header_row = 4
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=i, value=text(col["label"], lang))
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        ws.column_dimensions[get_column_letter(i)].width = col.get("width", 18)
    ws.freeze_panes = f"A{header_row + 1}"
    row = header_row + 1
    if panel.nil and "text" in panel_layout.get("nil", {}):
        ws.cell(row=row, column=1, value=text(panel_layout["nil"]["text"], lang)).font = BOLD
        return
    more = text(report.layout["about"]["more_items"], lang)
    for cat_row, lines in rows_for_panel(panel_layout, panel):
        if "heading" in cat_row:
            cell = ws.cell(row=row, column=1, value=text(cat_row["heading"], lang))
            cell.font = BOLD
            cell.fill = HEADING_FILL
            row += 1
            continue
        label = text(cat_row["label"], lang)
        if not lines:
            ws.cell(row=row, column=1, value=label)
            row += 1
            continue
        for ln in lines:
            values: dict[str, Any] = {
                "category": label,
                "partner": f"{report.partner_name(ln.partner)} ({ln.partner})" if ln.partner else "",
                "quantity": ln.quantity,
                "value": float(ln.value) if ln.value is not None else None,
                "currency": ln.currency or None,
                "origin": ln.origin or None,
                "intermediate": ln.intermediate or None,
                "description": ln.description_text(more) or None,
                "comments": ln.comments_text() or None,
            }
            for i, col in enumerate(columns, start=1):
                data_cell = ws.cell(row=row, column=i, value=values.get(col["key"]))
                if col["key"] == "value":
                    data_cell.number_format = "#,##0.00"
                elif col["key"] == "quantity":
                    data_cell.number_format = "#,##0"
                elif col["key"] in ("description", "comments", "category"):
                    data_cell.alignment = WRAP
            row += 1
    row += 1
    keys = [c["key"] for c in columns]
    ws.cell(row=row, column=1, value=text(panel_layout.get("total_label", {"en": "Total"}), lang)).font = BOLD
    if "quantity" in keys:
        cell = ws.cell(row=row, column=keys.index("quantity") + 1, value=panel.total_quantity())
        cell.font = BOLD
        cell.number_format = "#,##0"
    if "value" in keys:
        totals = panel.total_values()
        if len(totals) == 1:
            currency, amount = next(iter(totals.items()))
            cell = ws.cell(row=row, column=keys.index("value") + 1, value=float(amount))
            cell.font = BOLD
            cell.number_format = "#,##0.00"
            if "currency" in keys:
                ws.cell(row=row, column=keys.index("currency") + 1, value=currency).font = BOLD
        elif totals:
            summary = "; ".join(f"{amount:,.2f} {currency}" for currency, amount in sorted(totals.items()))
            ws.cell(row=row, column=keys.index("value") + 1, value=summary).font = BOLD


def _about_sheet(ws: Worksheet, report: Report, lang: str) -> None:
    layout = report.layout
    about = layout["about"]
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 110
    ws.cell(row=1, column=1, value=text(layout["name"], lang)).font = TITLE
    ws.cell(row=2, column=1, value=text(layout["verification"], lang)).alignment = WRAP
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=2)
    ws.row_dimensions[2].height = 60
    row = 4
    ws.cell(row=row, column=1, value=text(about["layout_label"], lang)).font = BOLD
    ws.cell(row=row, column=2, value=f"{layout['id']} — {layout['source']}").alignment = WRAP
    row += 2
    for key, label in layout["legend"].items():
        ws.cell(row=row, column=1, value=key).font = BOLD
        ws.cell(row=row, column=2, value=text(label, lang))
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=text(about["check_heading"], lang)).font = BOLD
    row += 1
    for status, label in unverified_items(layout, lang):
        ws.cell(row=row, column=1, value=status)
        ws.cell(row=row, column=2, value=label).alignment = WRAP
        row += 1
    if report.excluded:
        row += 1
        ws.cell(row=row, column=1, value=text(about["excluded_heading"], lang)).font = BOLD
        row += 1
        for code, count in sorted(report.excluded.items()):
            ws.cell(row=row, column=1, value=code)
            ws.cell(row=row, column=2, value=count)
            row += 1
