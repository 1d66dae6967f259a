"""Customs reconciliation as a pure function: declarations against licences, findings per declaration.

Findings:
- `no_licence`: the declaration cites no licence, or one the authority does not hold;
- `above_licence`: with this declaration, the quantity declared against the licence (declarations in date
  order) passes the quantity the licence authorises;
- `hs_not_on_licence`: the cited licence exists but does not cover the declaration's HS code;
- `chapter93_unlicensed`: an HS code of chapter 93 (arms and ammunition) that no licence of the authority covers.
A licence covers an HS code when one of its codes is a prefix of it (9301 covers 930190).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from attkit.reporting.categories import is_chapter_93


class LicenceRef(NamedTuple):
    """What reconciliation needs of a licence, wherever it comes from (licensing or authorised records)."""

    reference: str
    hs_codes: tuple[str, ...]
    quantity_authorised: int | None  # None: no quantity limit known
    quantity_used: int


@dataclass(frozen=True)
class Declaration:
    number: str
    date: date
    hs_code: str
    quantity: int
    licence_reference: str = ""
    direction: str = ""
    value: Decimal | None = None
    currency: str = ""


class Finding(StrEnum):
    NO_LICENCE = "no_licence"
    ABOVE_LICENCE = "above_licence"
    HS_NOT_ON_LICENCE = "hs_not_on_licence"
    CHAPTER93_UNLICENSED = "chapter93_unlicensed"


@dataclass
class Checked:
    declaration: Declaration
    findings: list[Finding] = field(default_factory=list)
    declared_to_date: int = 0  # on the cited licence, this declaration included
    authorised: int | None = None

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass
class LicenceUse:
    reference: str
    authorised: int | None
    recorded_used: int
    declared: int
    declarations: int

    @property
    def above(self) -> bool:
        return self.authorised is not None and self.declared > self.authorised


@dataclass
class Reconciliation:
    checked: list[Checked]
    licences: list[LicenceUse]

    def with_finding(self, finding: Finding) -> list[Checked]:
        return [c for c in self.checked if finding in c.findings]

    @property
    def problems(self) -> list[Checked]:
        return [c for c in self.checked if not c.ok]


def _norm_ref(ref: str) -> str:
    return ref.strip().upper()


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def covers(licence_codes: Iterable[str], hs_code: str) -> bool:
    code = _digits(hs_code)
    return any(code.startswith(_digits(c)) for c in licence_codes if _digits(c))


def reconcile(declarations: Sequence[Declaration], licences: Sequence[LicenceRef]) -> Reconciliation:
    by_ref = {_norm_ref(lic.reference): lic for lic in licences if lic.reference.strip()}
    all_codes = [c for lic in licences for c in lic.hs_codes]
    declared: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    checked: list[Checked] = []
    for decl in sorted(declarations, key=lambda d: (d.date, d.number)):
        result = Checked(decl)
        ref = _norm_ref(decl.licence_reference)
        licence = by_ref.get(ref) if ref else None
        if licence is None:
            result.findings.append(Finding.NO_LICENCE)
        else:
            declared[ref] += decl.quantity
            counts[ref] += 1
            result.declared_to_date = declared[ref]
            result.authorised = licence.quantity_authorised
            if licence.hs_codes and not covers(licence.hs_codes, decl.hs_code):
                result.findings.append(Finding.HS_NOT_ON_LICENCE)
            if licence.quantity_authorised is not None and declared[ref] > licence.quantity_authorised:
                result.findings.append(Finding.ABOVE_LICENCE)
        if is_chapter_93(decl.hs_code) and not covers(all_codes, decl.hs_code):
            result.findings.append(Finding.CHAPTER93_UNLICENSED)
        checked.append(result)
    uses = [
        LicenceUse(
            reference=lic.reference,
            authorised=lic.quantity_authorised,
            recorded_used=lic.quantity_used,
            declared=declared.get(_norm_ref(lic.reference), 0),
            declarations=counts.get(_norm_ref(lic.reference), 0),
        )
        for lic in sorted(licences, key=lambda x: x.reference)
    ]
    # Newest first on screen; the cumulative check above needed date order.
    checked.sort(key=lambda c: (c.declaration.date, c.declaration.number), reverse=True)
    return Reconciliation(checked, uses)
