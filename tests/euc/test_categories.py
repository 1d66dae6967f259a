"""The goods-line codes are the reference data's codes (one spelling across reference, EUC and licensing)."""

from __future__ import annotations

import csv
from pathlib import Path

from attkit.euc.categories import SALW_LINES, UN_CATEGORIES, category_code

REFERENCE = Path(__file__).resolve().parents[2] / "src" / "attkit" / "reference" / "data" / "categories.csv"


def reference_codes() -> set[str]:
    with REFERENCE.open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def test_every_category_and_line_is_in_the_reference_data():
    codes = reference_codes()
    assert set(UN_CATEGORIES) <= codes
    assert {category_code("VIII", line) for line in SALW_LINES} <= codes


def test_codes():
    assert category_code("II") == "II"
    assert category_code("VIII", "LW-6") == "VIII-LW-6"
