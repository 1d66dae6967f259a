"""Human reference numbers for certificates (MX-EUC-2026-000123-45) with an ISO 7064 MOD 97-10 check.

The two check digits are computed as for an IBAN (ISO 7064, MOD 97-10): the letters and digits of the
reference without hyphens are turned into a number (digits as themselves, A=10 ... Z=35), two zeros are
appended, and the check is 98 minus that number modulo 97. A reference is valid when the number with its
check digits appended is 1 modulo 97. This catches every single wrong character, every swap of two
adjacent characters and most other typing mistakes, which matters for a number read out over a telephone
or typed from a paper certificate at a border post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("EUC", "DVC")
NUMBER_WIDTH = 6
_SERIAL_RE = re.compile(r"^([A-Z]{2,8})-([A-Z]{3})-(\d{4})-(\d{6,})-(\d{2})$")


def _digits(text: str) -> str:
    out = []
    for ch in text:
        if ch.isdigit():
            out.append(ch)
        elif "A" <= ch <= "Z":
            out.append(str(ord(ch) - ord("A") + 10))
        else:
            raise ValueError(f"character {ch!r} cannot be part of a reference")
    return "".join(out)


def check_digits(body: str) -> str:
    """The two ISO 7064 MOD 97-10 check digits of body (hyphens ignored, letters upper-case)."""
    compact = body.replace("-", "").upper()
    if not compact:
        raise ValueError("empty reference")
    remainder = int(_digits(compact) + "00") % 97
    return f"{98 - remainder:02d}"


def format_serial(authority_code: str, year: int, number: int, kind: str = "EUC") -> str:
    """MX-EUC-2026-000123-45: authority, document kind, year, running number, check digits."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    if number < 1 or not 1000 <= year <= 9999:
        raise ValueError("the number must be positive and the year have four digits")
    body = f"{authority_code.upper()}-{kind}-{year:04d}-{number:0{NUMBER_WIDTH}d}"
    return f"{body}-{check_digits(body)}"


@dataclass(frozen=True)
class Serial:
    authority: str
    kind: str
    year: int
    number: int
    text: str


def normalise(text: str) -> str:
    """Upper case, surrounding blanks removed, look-alike dashes turned into hyphens."""
    return re.sub(r"[\u2010-\u2015\u2212]", "-", text.strip().upper())


def parse_serial(text: str) -> Serial | None:
    """The parts of a reference whose check digits are right, or None."""
    candidate = normalise(text)
    match = _SERIAL_RE.match(candidate)
    if match is None or match.group(2) not in KINDS:
        return None
    body = candidate[: candidate.rfind("-")]
    if check_digits(body) != match.group(5):
        return None
    return Serial(match.group(1), match.group(2), int(match.group(3)), int(match.group(4)), candidate)


def is_valid_serial(text: str) -> bool:
    return parse_serial(text) is not None
