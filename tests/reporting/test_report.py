"""The ATT annual report and the UN Register report: the XLSX reopens and its totals match a direct count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum

from attkit.reporting import report as rpt
from attkit.reporting import services
from attkit.reporting.models import TransferRecord

pytestmark = pytest.mark.django_db

YEAR = 2024
PARTNER = re.compile(r"\(([A-Z]{2})\)$")


@pytest.fixture
def data(record, mx_admin, de):
    """A year of MX transfers in both directions and on both bases, with noise the report must leave out."""
    rows = [
        ("export", "authorised", "VIII.SA.4", "GT", 120, "180000", "USD"),
        ("export", "authorised", "VIII.SA.4", "GT", 30, "45000", "USD"),
        ("export", "authorised", "VIII.SA.4", "HN", 50, "70000", "USD"),
        ("export", "authorised", "VIII.SA.1", "HN", 20, None, None),
        ("export", "actual", "VIII.SA.4", "GT", 100, "150000", "USD"),
        ("export", "authorised", "ART3", "SV", 90000, None, None),  # ammunition: kept, not reported
        ("import", "authorised", "II", "US", 8, "3600000", "USD"),
        ("import", "authorised", "VIII.LW.6", "ES", 12, "108000", "EUR"),
        ("import", "authorised", "VIII.SA.1", "AT", 300, "168000", "USD"),
        ("import", "authorised", "VIII.SA.1", "US", 200, "104000", "USD"),
        ("import", "authorised", "VII(b)", "US", 4, None, None),
        ("import", "actual", "VIII.SA.1", "US", 180, "93600", "USD"),
        ("transit", "authorised", "VIII.SA.2", "US", 60, None, None),  # transit: not in the annual report
    ]
    for i, (direction, basis, category, partner, qty, value, currency) in enumerate(rows):
        states = {"importing_state": partner} if direction == "export" else {"exporting_state": partner}
        if direction == "transit":
            states = {"exporting_state": "US", "importing_state": "GT", "transit_states": ["MX"]}
        record(
            direction=direction,
            basis=basis,
            category=category,
            quantity=qty,
            value=Decimal(value) if value else None,
            currency=currency or "",
            date=dt.date(YEAR, 1 + i % 12, 10),
            model_type=f"M-{i}",
            description="demo item",
            comments="re-export" if i == 2 else "",
            **states,
        )
    corrected = record(
        direction="export",
        basis="authorised",
        category="VIII.SA.4",
        quantity=999,
        importing_state="GT",
        value=None,
        currency="",
    )
    services.supersede_record(corrected.pk, by=mx_admin, reason="typo", changes={"quantity": 9})
    record(date=dt.date(YEAR - 1, 5, 5))  # another year
    record(authority=de, importing_state="FR")  # another state


def orm_totals(mx, basis: str, direction: str) -> dict[tuple[str, str], tuple[int, Decimal]]:
    rows = (
        TransferRecord.objects.filter(authority=mx, year=YEAR, basis=basis, is_current=True, direction=direction)
        .exclude(category__in=["ART3", "ART4"])
        .values("category", "partner_state")
        .annotate(q=Sum("quantity"), v=Sum("value"))
        .order_by()
    )
    return {(r["category"], r["partner_state"]): (r["q"] or 0, r["v"] or Decimal(0)) for r in rows}


def sheet_lines(content: bytes, kind: str, panel_key: str, lang: str = "en") -> tuple[dict, dict]:
    """(category, partner) -> (quantity, value) read back from the workbook, and the Total row."""
    layout = rpt.load_layout(kind)
    panel = next(p for p in layout["panels"] if p["key"] == panel_key)
    codes = {rpt.text(r["label"], lang): r["code"] for r in panel["category_rows"] if "code" in r}
    keys = [c["key"] for c in panel["columns"]]
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb[rpt.text(panel["sheet"], lang)[:31]]
    found: dict[tuple[str, str], tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    total = {}
    header = None
    for row in ws.iter_rows(values_only=True):
        if header is None:
            if row[0] == rpt.text(panel["columns"][0]["label"], lang):
                header = row
            continue
        cells = dict(zip(keys, row, strict=False))
        if cells["category"] == rpt.text(panel["total_label"], lang):
            total = cells
            break
        if not cells.get("partner"):
            continue
        code = codes[cells["category"]]
        partner = PARTNER.search(cells["partner"]).group(1)
        q, v = found[(code, partner)]
        found[(code, partner)] = (q + (cells["quantity"] or 0), v + Decimal(str(cells.get("value") or 0)))
    assert header is not None, "the column headers are in the sheet"
    return dict(found), total


@pytest.mark.parametrize("basis", ["authorised", "actual"])
@pytest.mark.parametrize(("direction", "panel"), [("export", "exports"), ("import", "imports")])
def test_att_xlsx_totals_match_a_direct_count(data, mx, basis, direction, panel):
    report = services.build_report("att", mx, YEAR, basis, lang="en")
    content, content_type, name = services.render_report(report, "xlsx", "en")
    assert content_type.endswith("spreadsheetml.sheet") and name == f"att-MX-{YEAR}-{basis}.xlsx"
    found, total = sheet_lines(content, "att", panel)
    expected = orm_totals(mx, basis, direction)
    assert {k: q for k, (q, _v) in found.items()} == {k: q for k, (q, _v) in expected.items()}
    assert total["quantity"] == sum(q for q, _v in expected.values())
    for key, (_q, value) in expected.items():
        assert found[key][1].quantize(Decimal("0.01")) == value.quantize(Decimal("0.01"))


def test_lines_group_by_category_and_partner_with_items_and_comments(data, mx):
    report = services.build_report("att", mx, YEAR, "authorised", lang="en")
    exports = report.panel("exports")
    gt = next(ln for ln in exports.lines if (ln.category, ln.partner) == ("VIII.SA.4", "GT"))
    assert gt.quantity == 120 + 30 + 9  # the corrected version, not the superseded one
    assert gt.value == Decimal("225000.00") and gt.currency == "USD"
    assert gt.records == 3
    assert "M-0 — demo item" in gt.items
    hn = next(ln for ln in exports.lines if (ln.category, ln.partner) == ("VIII.SA.4", "HN"))
    assert hn.comments == ["re-export"]
    assert report.excluded == {"ART3": 1}
    # categories in the layout's order: I ... VIII small arms ... VIII light weapons
    imports = [ln.category for ln in report.panel("imports").lines]
    assert imports == ["II", "VII(b)", "VIII.SA.1", "VIII.SA.1", "VIII.LW.6"]


def test_values_in_several_currencies_stay_apart(record, mx):
    record(category="I", quantity=2, value=Decimal("10"), currency="USD")
    record(category="I", quantity=3, value=Decimal("20"), currency="EUR")
    record(category="I", quantity=4, value=None, currency="")
    lines = services.build_report("att", mx, YEAR, "authorised").panel("exports").lines
    assert [(ln.currency, ln.quantity, ln.value) for ln in lines] == [
        ("EUR", 7, Decimal("20.00")),  # the quantity without a value joins the first currency
        ("USD", 2, Decimal("10.00")),
    ]


def test_nil_report(mx):
    report = services.build_report("att", mx, 2021, "actual")
    assert report.nil
    content, _t, _n = services.render_report(report, "xlsx", "en")
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Title page", "Nil report - exports", "Nil report - imports", "Annex 2", "About this file"]
    title = [c for row in wb["Title page"].iter_rows(values_only=True) for c in row if c]
    assert "☒ Nil report: exports" in title and "☐ Exports table" in title
    text = " ".join(str(c) for row in wb["Nil report - exports"].iter_rows(values_only=True) for c in row if c)
    assert "no exports of conventional arms" in text
    csv_rows = list(csv.DictReader(io.StringIO(services.render_report(report, "csv")[0].decode("utf-8-sig"))))
    assert [(r["panel"], r["note"]) for r in csv_rows] == [("exports", "nil report"), ("imports", "nil report")]
    data = json.loads(services.render_report(report, "json")[0])
    assert data["nil_report"] is True and all(p["nil_report"] and p["lines"] == [] for p in data["panels"])


def test_withheld_flag_on_the_title_page_and_in_json(data, mx):
    report = services.build_report("att", mx, YEAR, "authorised", withheld=True)
    wb = openpyxl.load_workbook(io.BytesIO(services.render_report(report, "xlsx")[0]))
    rows = {row[0]: row[1] for row in wb["Title page"].iter_rows(values_only=True) if row[0]}
    assert (
        rows["Commercially sensitive and/or national security-related data withheld in accordance with Article 13(3)"]
        == "Yes"
    )
    assert rows["Report for calendar year"] == YEAR
    assert rows["The tables report authorized or actual transfers"] == "Authorized"
    assert json.loads(services.render_report(report, "json")[0])["sensitive_data_withheld"] is True
    plain = services.build_report("att", mx, YEAR, "authorised")
    assert json.loads(services.render_report(plain, "json")[0])["sensitive_data_withheld"] is False


def test_csv_and_json_carry_the_same_lines(data, mx):
    report = services.build_report("att", mx, YEAR, "authorised")
    rows = list(csv.DictReader(io.StringIO(services.render_report(report, "csv")[0].decode("utf-8-sig"))))
    data_json = json.loads(services.render_report(report, "json")[0])
    lines = [ln for p in data_json["panels"] for ln in p["lines"]]
    assert len(rows) == len(lines) == sum(len(p.lines) for p in report.panels)
    assert sum(int(r["quantity"] or 0) for r in rows) == sum(ln["quantity"] or 0 for ln in lines)
    assert {r["partner_name"] for r in rows} >= {"Guatemala", "Honduras", "United States", "Austria", "Spain"}
    assert data_json["reporting_state"] == "MX" and data_json["layout"] == "att_2017"


def test_national_definitions_annex(data, mx, mx_admin):
    services.save_definitions(by=mx_admin, authority=mx, text="Category VIII includes …")
    report = services.build_report("att", mx, YEAR, "authorised")
    wb = openpyxl.load_workbook(io.BytesIO(services.render_report(report, "xlsx")[0]))
    assert [c for row in wb["Annex 2"].iter_rows(values_only=True) for c in row if c][1] == "Category VIII includes …"
    assert json.loads(services.render_report(report, "json")[0])["national_definitions"] == "Category VIII includes …"


def test_spanish_workbook(data, mx):
    report = services.build_report("att", mx, YEAR, "authorised", lang="es")
    content = services.render_report(report, "xlsx", "es")[0]
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Portada", "Exportaciones", "Importaciones", "Anexo 2", "Acerca de este archivo"]
    found, _total = sheet_lines(content, "att", "exports", "es")
    assert found[("VIII.SA.4", "GT")][0] == 159


@pytest.mark.parametrize(
    ("direction", "panels"),
    [
        ("export", ("exports", "small_arms_exports", "light_weapons_exports")),
        ("import", ("imports", "small_arms_imports", "light_weapons_imports")),
    ],
)
def test_unroca_xlsx_totals_match_a_direct_count(data, mx, record, direction, panels):
    record(
        category="VIII.SA.1",
        importing_state="HN",
        state_of_origin="US",
        intermediate_location="GT",
        quantity=5,
        value=None,
        currency="",
    )
    report = services.build_report("unroca", mx, YEAR, "authorised")
    content = services.render_report(report, "xlsx")[0]
    found: dict = {}
    for key in panels:
        lines, _total = sheet_lines(content, "unroca", key)
        for k, (q, _v) in lines.items():
            found[k] = found.get(k, 0) + q
    expected = {k: q for k, (q, _v) in orm_totals(mx, "authorised", direction).items()}
    assert found == expected
    wb = openpyxl.load_workbook(io.BytesIO(content))
    headers = [c.value for c in wb["Exports"][4]]
    assert headers == [
        "Category(I-VII)",
        "Final importer state",
        "Number of Items",
        "State of origin (if not exporter)",
        "Intermediate location(s) (if any)",
        "Description of Items",
        "Comments on the transfer",
    ]
    if direction == "export":
        origin = [ln for ln in report.panel("small_arms_exports").lines if ln.origin == "US"]
        assert origin and origin[0].intermediate == "GT" and origin[0].quantity == 5


def test_layouts_are_valid_and_mark_what_is_unverified():
    for kind in ("att", "unroca"):
        layout = rpt.load_layout(kind)
        assert rpt.check_layout(layout) == []
        statuses = {status for status, _label in rpt.unverified_items(layout, "en")}
        assert statuses == {"P", "U"}
    att = rpt.load_layout("att")
    assert att["title_page"]["heading"]["status"] == "V"
    assert {c["status"] for p in att["panels"] for c in p["columns"]} == {"U"}  # not found in any public copy


def test_a_bad_year_or_basis_is_refused(mx):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.build_report("att", mx, 1985, "actual")
    with pytest.raises(ValidationError):
        services.build_report("att", mx, YEAR, "approximate")
    with pytest.raises(ValidationError):
        services.render_report(services.build_report("att", mx, YEAR, "actual"), "pdf")


def test_the_report_is_one_aggregated_query(data, mx, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        services.aggregate(mx, YEAR, "authorised")
