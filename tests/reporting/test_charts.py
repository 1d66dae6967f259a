"""Charts: SVG without inline styles (the CSP forbids them), and a table beside each."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from attkit.reporting import charts, dashboard


def test_svg_has_no_inline_style():
    svg = charts.bar_chart("Title", ["I", "II"], [charts.Series("Exports", [3, 4]), charts.Series("Imports", [1, 0])])
    text = svg.decode()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "style=" not in text and "<style" not in text
    assert 'fill="#005ea2"' in text  # colours kept as presentation attributes


def test_empty_chart_says_so():
    text = charts.bar_chart("Nothing", [], [], empty_text="No data").decode()
    assert "style=" not in text


def test_csp_safe_turns_styles_into_attributes():
    out = charts.csp_safe(
        '<svg a="1"><defs><style>*{x:y}</style></defs><path style="fill: #fff; stroke-width: 0.8"/></svg>'
    )
    assert re.search(r'<path fill="#fff" stroke-width="0.8"/>', out)
    assert "<style" not in out


@pytest.mark.django_db
def test_dashboard_data(record, mx):
    record(date=dt.date(2024, 1, 5))
    record(date=dt.date(2024, 2, 5), direction="import", exporting_state="US", importing_state="", category="II")
    chart = dashboard.chart("by-category", mx, 2024, "authorised", "en")
    assert chart.rows == [["II", 0, 0, 1, 100], ["VIII small arms", 1, 100, 0, 0]]
    partners = dashboard.chart("by-partner", mx, 2024, "authorised", "en")
    assert [r[0] for r in partners.rows] == ["Guatemala (GT)", "United States (US)"]
    years = dashboard.chart("by-year", mx, 2024, "authorised", "en")
    assert years.rows == [[2024, 1, 1]]
    for key in dashboard.CHART_KEYS:
        c = dashboard.chart(key, mx, 2024, "authorised", "en")
        if c.available:
            assert b"<svg" in c.svg()
        else:
            assert c.note
