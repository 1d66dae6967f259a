"""Charts as SVG, drawn on the server with matplotlib (Agg) and cleaned for the Content-Security-Policy.

matplotlib writes `style="..."` attributes and a `<style>` element; the page's CSP forbids inline
styles, so `csp_safe` turns them into SVG presentation attributes, which no CSP rule concerns.
Each chart has a table beside it on the page (the accessible alternative); no chart relies on colour
alone (hatching and labels tell the series apart).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

matplotlib.rcParams["svg.hashsalt"] = "attkit"  # stable ids: the same data draw the same file
matplotlib.rcParams["font.family"] = "DejaVu Sans"

COLOURS = ("#005ea2", "#d83933", "#00a91c", "#e5a000", "#8168b3")
HATCHES = ("", "//", "..", "xx", "\\\\")
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.S)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


def _attrs(match: re.Match[str]) -> str:
    parts = []
    for decl in match.group(1).split(";"):
        if ":" not in decl:
            continue
        name, value = (p.strip() for p in decl.split(":", 1))
        if re.fullmatch(r"[a-z\-]+", name) and '"' not in value:
            parts.append(f'{name}="{value}"')
    return (" " + " ".join(parts)) if parts else ""


def csp_safe(svg: str) -> str:
    """The SVG with every inline style turned into presentation attributes, and no <style> element."""
    svg = _METADATA.sub("", svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = svg.replace("<defs>\n  \n </defs>", "")
    svg = _STYLE_ATTR.sub(_attrs, svg)
    return svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)


def _to_svg(fig: Figure, title: str) -> bytes:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Title": title})
    plt.close(fig)
    return csp_safe(buffer.getvalue()).encode("utf-8")


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    horizontal: bool = False,
    value_label: str = "",
    empty_text: str = "",
) -> bytes:
    """Grouped bars, one group per category, one bar per series, values printed on the bars."""
    height = max(3.0, 0.35 * len(categories) * max(1, len(series)) + 1.2) if horizontal else 3.6
    fig, ax = plt.subplots(figsize=(7.5, min(height, 12.0)))
    if not categories or not series:
        ax.text(0.5, 0.5, empty_text, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(title)
        return _to_svg(fig, title)
    n = len(series)
    width = 0.8 / n
    positions = range(len(categories))
    for i, s in enumerate(series):
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        kwargs: dict[str, Any] = {
            "label": s.label,
            "color": COLOURS[i % len(COLOURS)],
            "hatch": HATCHES[i % len(HATCHES)],
            "edgecolor": "#1b1b1b",
            "linewidth": 0.5,
        }
        bars = (
            ax.barh(offsets, s.values, height=width, **kwargs)
            if horizontal
            else ax.bar(offsets, s.values, width=width, **kwargs)
        )
        ax.bar_label(bars, labels=[_short(v) for v in s.values], fontsize=7, padding=2)
    if horizontal:
        ax.set_yticks(list(positions), labels=list(categories), fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(value_label)
    else:
        ax.set_xticks(
            list(positions),
            labels=list(categories),
            fontsize=8,
            rotation=45 if len(categories) > 8 else 0,
            ha="right" if len(categories) > 8 else "center",
        )
        ax.set_ylabel(value_label)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title)
    if n > 1:
        ax.legend(frameon=False, fontsize=8)
    return _to_svg(fig, title)


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1_000:.0f}k"
    if value == int(value):
        return f"{int(value)}"
    return f"{value:.1f}"
