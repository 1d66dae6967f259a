"""Category codes: every spelling an official or a file uses reads as one canonical code."""

from __future__ import annotations

import pytest

from attkit.reporting import categories


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("I", "I"),
        ("vii", "VII"),
        ("VII(b)", "VII(b)"),
        ("VII b", "VII(b)"),
        ("vii-a", "VII(a)"),
        ("VIII.SA.4", "VIII.SA.4"),
        ("VIII-SA-4", "VIII.SA.4"),
        ("viii sa 4", "VIII.SA.4"),
        ("VIII.LW.6", "VIII.LW.6"),
        ("VIII", "VIII"),
        ("ART3", "ART3"),
        ("Art. 4", "ART4"),
        ("article 3", "ART3"),
    ],
)
def test_spellings_normalise(raw, code):
    assert categories.normalize(raw) == code


@pytest.mark.parametrize("raw", ["", "IX", "I(b)", "VIII.XX.1", "ART5", "tanks"])
def test_unreadable_codes_are_none(raw):
    assert categories.normalize(raw) is None


def test_reference_codes_map_to_canonical():
    assert categories.from_reference_code("VIII-LW-7") == "VIII.LW.7"


def test_one_constant_list_in_report_order():
    assert categories.CODES[0] == "I"
    assert categories.sort_key("VIII.SA.1") < categories.sort_key("VIII.LW.1") < categories.sort_key("ART3")
    assert len(set(categories.CODES)) == len(categories.CODES) == 25


def test_chapter_93():
    assert categories.is_chapter_93("9301.90")
    assert not categories.is_chapter_93("8710.00")
