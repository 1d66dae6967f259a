"""Customs reconciliation: shipments without a licence, above a licence, or under chapter 93 with none."""

from __future__ import annotations

import datetime as dt

import pytest

from attkit.reporting import adapters, services
from attkit.reporting.models import ImportKind
from attkit.reporting.reconcile import Declaration, Finding, LicenceRef, covers, reconcile

D = dt.date(2025, 3, 1)
LICENCES = [
    LicenceRef("MX-IMP-1", ("9301",), 100, 40),
    LicenceRef("MX-IMP-2", ("930200",), None, 0),
]


def decl(number: str, hs: str, qty: int, ref: str = "", day: int = 1) -> Declaration:
    return Declaration(number, D.replace(day=day), hs, qty, ref, "import")


def findings(declarations) -> dict[str, list[Finding]]:
    return {c.declaration.number: c.findings for c in reconcile(declarations, LICENCES).checked}


def test_a_declaration_within_its_licence_is_clean():
    assert findings([decl("A", "930190", 60, "MX-IMP-1")]) == {"A": []}


def test_without_a_licence():
    assert findings([decl("A", "8710", 1), decl("B", "8710", 1, "NOPE")]) == {
        "A": [Finding.NO_LICENCE],
        "B": [Finding.NO_LICENCE],
    }


def test_above_a_licence_counts_declarations_in_date_order():
    result = findings([decl("late", "930190", 30, "mx-imp-1 ", day=20), decl("early", "930110", 80, "MX-IMP-1", day=2)])
    assert result == {"early": [], "late": [Finding.ABOVE_LICENCE]}


def test_hs_code_not_on_the_licence():
    assert findings([decl("A", "871000", 5, "MX-IMP-2")]) == {"A": [Finding.HS_NOT_ON_LICENCE]}


def test_chapter_93_codes_that_no_licence_covers():
    result = findings([decl("A", "9306.30", 5), decl("B", "930200", 5), decl("C", "9303", 1, "MX-IMP-1")])
    assert result["A"] == [Finding.NO_LICENCE, Finding.CHAPTER93_UNLICENSED]
    assert result["B"] == [Finding.NO_LICENCE]  # no licence cited, but the code is licensed to someone
    assert result["C"] == [Finding.HS_NOT_ON_LICENCE, Finding.CHAPTER93_UNLICENSED]


def test_licence_summary():
    result = reconcile([decl("A", "930190", 60, "MX-IMP-1"), decl("B", "930190", 50, "MX-IMP-1", day=9)], LICENCES)
    use = next(u for u in result.licences if u.reference == "MX-IMP-1")
    assert (use.authorised, use.recorded_used, use.declared, use.declarations, use.above) == (100, 40, 110, 2, True)
    assert [c.declaration.number for c in result.problems] == ["B"]


def test_prefix_cover():
    assert covers(["9301"], "9301.90.00")
    assert not covers(["930190"], "9301")


@pytest.mark.django_db
def test_licences_from_authorised_records_when_licensing_gives_none(record, mx, monkeypatch):
    monkeypatch.setattr(adapters, "_licensing_refs", lambda: None)
    record(
        direction="import",
        basis="authorised",
        exporting_state="US",
        importing_state="",
        category="VIII.SA.1",
        quantity=100,
        hs_code="9302",
        licence_reference="MX-IMP-7",
    )
    record(
        direction="import",
        basis="actual",
        exporting_state="US",
        importing_state="",
        category="VIII.SA.1",
        quantity=60,
        hs_code="9302",
        licence_reference="MX-IMP-7",
    )
    assert adapters.licences_for(mx) == [LicenceRef("MX-IMP-7", ("9302",), 100, 60)]
    text = (
        "number,date,hs_code,quantity,licence_reference,direction\n"
        "C-1,2024-04-01,9302.00,70,MX-IMP-7,import\n"
        "C-2,2024-04-09,9302.00,40,MX-IMP-7,import\n"
        "C-3,2024-04-10,9306.30,9,,import\n"
    )
    assert services.import_csv(authority=mx, by=None, kind=ImportKind.CUSTOMS, data=text.encode(), filename="c").ok
    result = services.reconciliation(mx)
    assert {c.declaration.number: [str(f) for f in c.findings] for c in result.checked} == {
        "C-1": [],
        "C-2": ["above_licence"],
        "C-3": ["no_licence", "chapter93_unlicensed"],
    }


@pytest.mark.django_db
def test_licences_from_licensing_when_it_provides_them(mx, monkeypatch):
    monkeypatch.setattr(adapters, "_licensing_refs", lambda: lambda authority: [("L-1", ["9301"], 5, 1)])
    assert adapters.licences_for(mx) == [LicenceRef("L-1", ("9301",), 5, 1)]
    assert adapters.licensing_provides_licences()
