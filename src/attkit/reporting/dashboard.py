"""The data behind each dashboard chart and its table alternative, computed once for both."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from attkit.core.models import Authority
from attkit.reporting import adapters, categories, charts
from attkit.reporting.models import Direction, TransferRecord

GROUPS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII.SA", "VIII.LW", "VIII", "ART3", "ART4")
TOP_PARTNERS = 10
YEARS_SHOWN = 10


def _group(code: str) -> str:
    if code.startswith("VII("):
        return "VII"
    if code.startswith("VIII."):
        return code[:7]
    return code


def group_label(group: str) -> str:
    labels = {
        "VIII.SA": _("VIII small arms"),
        "VIII.LW": _("VIII light weapons"),
        "VIII": _("VIII (line not given)"),
        "ART3": _("Ammunition (Art. 3)"),
        "ART4": _("Parts (Art. 4)"),
    }
    return str(labels.get(group, group))


@dataclass
class Chart:
    key: str
    title: str
    columns: list[str]  # headers of the table alternative
    rows: list[list[Any]]
    categories: list[str] = field(default_factory=list)
    series: list[charts.Series] = field(default_factory=list)
    horizontal: bool = False
    value_label: str = ""
    available: bool = True
    note: str = ""

    def svg(self) -> bytes:
        return charts.bar_chart(
            self.title,
            self.categories,
            self.series,
            horizontal=self.horizontal,
            value_label=self.value_label,
            empty_text=_("No data for this period."),
        )


def _records(authority: Authority, basis: str) -> Any:
    return TransferRecord.objects.for_authority(authority).current().filter(basis=basis)


def by_category(authority: Authority, year: int, basis: str) -> Chart:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        _records(authority, basis)
        .filter(year=year, direction__in=(Direction.EXPORT, Direction.IMPORT))
        .values("direction", "category")
        .annotate(n=Count("id"), q=Sum("quantity"))
        .order_by()
    )
    for r in rows:
        slot = counts[(r["direction"], _group(r["category"]))]
        slot[0] += r["n"]
        slot[1] += r["q"] or 0
    groups = [g for g in GROUPS if any((d, g) in counts for d in ("export", "import"))]
    table = [
        [
            group_label(g),
            counts[("export", g)][0],
            counts[("export", g)][1],
            counts[("import", g)][0],
            counts[("import", g)][1],
        ]
        for g in groups
    ]
    return Chart(
        key="by-category",
        title=_("Transfers by category, %(year)s") % {"year": year},
        columns=[
            _("Category"),
            _("Exports: transfers"),
            _("Exports: items"),
            _("Imports: transfers"),
            _("Imports: items"),
        ],
        rows=table,
        categories=[group_label(g) for g in groups],
        series=[
            charts.Series(_("Exports"), [counts[("export", g)][0] for g in groups]),
            charts.Series(_("Imports"), [counts[("import", g)][0] for g in groups]),
        ],
        value_label=_("Number of transfers"),
    )


def by_partner(authority: Authority, year: int, basis: str, names: Callable[[Sequence[str]], dict[str, str]]) -> Chart:
    rows = (
        _records(authority, basis)
        .filter(year=year, direction__in=(Direction.EXPORT, Direction.IMPORT))
        .exclude(partner_state="")
        .values("partner_state", "direction")
        .annotate(n=Count("id"), q=Sum("quantity"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"export": 0, "import": 0, "q": 0})
    for r in rows:
        counts[r["partner_state"]][r["direction"]] += r["n"]
        counts[r["partner_state"]]["q"] += r["q"] or 0
    top = sorted(counts, key=lambda c: (-(counts[c]["export"] + counts[c]["import"]), c))[:TOP_PARTNERS]
    label = names(top)
    return Chart(
        key="by-partner",
        title=_("Transfers by partner state, %(year)s (top %(n)s)") % {"year": year, "n": TOP_PARTNERS},
        columns=[_("Partner state"), _("Exports: transfers"), _("Imports: transfers"), _("Items")],
        rows=[[f"{label.get(c, c)} ({c})", counts[c]["export"], counts[c]["import"], counts[c]["q"]] for c in top],
        categories=[label.get(c, c) for c in top],
        series=[
            charts.Series(_("Exports"), [counts[c]["export"] for c in top]),
            charts.Series(_("Imports"), [counts[c]["import"] for c in top]),
        ],
        horizontal=True,
        value_label=_("Number of transfers"),
    )


def by_year(authority: Authority, basis: str, last_year: int) -> Chart:
    first = last_year - YEARS_SHOWN + 1
    rows = (
        _records(authority, basis)
        .filter(year__gte=first, year__lte=last_year, direction__in=(Direction.EXPORT, Direction.IMPORT))
        .values("year", "direction")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = {(r["year"], r["direction"]): r["n"] for r in rows}
    years = sorted({y for y, _d in counts})
    if years:
        years = list(range(years[0], last_year + 1))
    return Chart(
        key="by-year",
        title=_("Transfers by year"),
        columns=[_("Year"), _("Exports: transfers"), _("Imports: transfers")],
        rows=[[y, counts.get((y, "export"), 0), counts.get((y, "import"), 0)] for y in years],
        categories=[str(y) for y in years],
        series=[
            charts.Series(_("Exports"), [counts.get((y, "export"), 0) for y in years]),
            charts.Series(_("Imports"), [counts.get((y, "import"), 0) for y in years]),
        ],
        value_label=_("Number of transfers"),
    )


def processing_times(authority: Authority) -> Chart:
    decisions = adapters.licensing_decisions(authority)
    chart = Chart(
        key="processing",
        title=_("Licence processing time (median days)"),
        columns=[_("Year"), _("Decisions"), _("Median days"), _("Longest (days)")],
        rows=[],
        value_label=_("Days"),
    )
    if decisions is None:
        chart.available = False
        chart.note = _("Shown once the licensing module records decisions.")
        return chart
    by_year: dict[int, list[float]] = defaultdict(list)
    for d in decisions:
        by_year[d.decided_on.year].append(d.days)
    years = sorted(by_year)
    chart.rows = [
        [y, len(by_year[y]), round(statistics.median(by_year[y]), 1), round(max(by_year[y]), 1)] for y in years
    ]
    chart.categories = [str(y) for y in years]
    chart.series = [charts.Series(_("Median days"), [statistics.median(by_year[y]) for y in years])]
    return chart


def refusals(authority: Authority) -> Chart:
    decisions = adapters.licensing_decisions(authority)
    chart = Chart(
        key="refusals",
        title=_("Refusals by criterion"),
        columns=[_("Criterion"), _("Refusals citing it"), _("Share of all decisions (%)")],
        rows=[],
        horizontal=True,
        value_label=_("Share of all decisions (%)"),
    )
    if decisions is None:
        chart.available = False
        chart.note = _("Shown once the licensing module records decisions.")
        return chart
    total = len(decisions)
    cited: dict[str, int] = defaultdict(int)
    for d in decisions:
        if d.outcome == "refused":
            for c in d.criteria:
                cited[c] += 1
    keys = sorted(cited, key=lambda c: (-cited[c], c))
    shares = [round(100 * cited[c] / total, 1) if total else 0.0 for c in keys]
    chart.rows = [[c, cited[c], s] for c, s in zip(keys, shares, strict=True)]
    chart.categories = keys
    chart.series = [charts.Series(_("Refusal rate"), shares)]
    return chart


def eucs(authority: Authority) -> Chart:
    counts = adapters.euc_counts(authority)
    chart = Chart(
        key="eucs",
        title=_("End-user certificates issued, used and closed"),
        columns=[_("Year of issue"), _("Issued"), _("Used"), _("Closed")],
        rows=[],
        value_label=_("Certificates"),
    )
    if counts is None:
        chart.available = False
        chart.note = _("Shown once the end-user certificate module is installed.")
        return chart
    years = sorted(counts)[-YEARS_SHOWN:]
    chart.rows = [[y, counts[y]["issued"], counts[y]["used"], counts[y]["closed"]] for y in years]
    chart.categories = [str(y) for y in years]
    chart.series = [
        charts.Series(_("Issued"), [counts[y]["issued"] for y in years]),
        charts.Series(_("Used"), [counts[y]["used"] for y in years]),
        charts.Series(_("Closed"), [counts[y]["closed"] for y in years]),
    ]
    return chart


CHART_KEYS = ("by-category", "by-partner", "by-year", "processing", "refusals", "eucs")


def chart(key: str, authority: Authority, year: int, basis: str, lang: str) -> Chart:
    def names(codes: Sequence[str]) -> dict[str, str]:
        return adapters.country_names(codes, lang)

    if key == "by-category":
        return by_category(authority, year, basis)
    if key == "by-partner":
        return by_partner(authority, year, basis, names)
    if key == "by-year":
        return by_year(authority, basis, year)
    if key == "processing":
        return processing_times(authority)
    if key == "refusals":
        return refusals(authority)
    if key == "eucs":
        return eucs(authority)
    raise KeyError(key)


def category_name(code: str, lang: str) -> str:
    return categories.label(code, lang)
