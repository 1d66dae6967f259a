"""Codes for goods lines (UN Register categories, SALW lines, units), spelt as the reference data and the EUC.

Source: DOMAIN.md section 3 and the UN Register's standardized reporting forms. The codes are the
reference data's (`VIII-SA-2`, `VII(b)`), as on an EUC, so that a licence's lines draw on the lines
of the end-user certificate it relies on. Cases store codes only; `normalise_code` and
`normalise_line` also accept the older spellings `VIII-SA2` and `SA2`.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

UN_CATEGORIES: dict[str, Promise] = {
    "I": _("I. Battle tanks"),
    "II": _("II. Armoured combat vehicles"),
    "III": _("III. Large-calibre artillery systems"),
    "IV": _("IV. Combat aircraft and unmanned combat aerial vehicles"),
    "V": _("V. Attack helicopters"),
    "VI": _("VI. Warships"),
    "VII": _("VII. Missiles and missile launchers"),
    "VII(a)": _("VII(a). Missiles and missile launchers"),
    "VII(b)": _("VII(b). Man-portable air-defence systems (MANPADS)"),
    "VIII": _("VIII. Small arms and light weapons"),
    "ART3": _("Ammunition/munitions (Art. 3)"),
    "ART4": _("Parts and components (Art. 4)"),
}

SALW_LINES: dict[str, Promise] = {
    "SA-1": _("Small arms 1: revolvers and self-loading pistols"),
    "SA-2": _("Small arms 2: rifles and carbines"),
    "SA-3": _("Small arms 3: sub-machine guns"),
    "SA-4": _("Small arms 4: assault rifles"),
    "SA-5": _("Small arms 5: light machine guns"),
    "SA-6": _("Small arms 6: others"),
    "LW-1": _("Light weapons 1: heavy machine guns"),
    "LW-2": _("Light weapons 2: grenade launchers"),
    "LW-3": _("Light weapons 3: portable anti-tank guns"),
    "LW-4": _("Light weapons 4: recoilless rifles"),
    "LW-5": _("Light weapons 5: portable anti-tank missile launchers and rocket systems"),
    "LW-6": _("Light weapons 6: mortars of calibres less than 75 mm"),
    "LW-7": _("Light weapons 7: others"),
}

UNITS: dict[str, Promise] = {
    "unit": _("units"),
    "set": _("sets"),
    "round": _("rounds"),
    "kg": _("kilograms"),
}

CURRENCIES = ("USD", "EUR", "MXN", "GBP", "CRC", "TTD", "BRL", "COP", "CAD", "CHF")

_LINE = re.compile(r"^(SA|LW)-?(\d)$")
_CODE = re.compile(r"^(VIII)-(SA|LW)-?(\d)$")


def category_code(un_category: str, salw_line: str = "") -> str:
    """One code for a goods line's category: 'II', or 'VIII-SA-2' for a SALW line."""
    return f"{un_category}-{salw_line}" if salw_line else un_category


def normalise_code(code: str) -> str:
    """'viii-sa2' and 'VIII-SA2' become the reference data's 'VIII-SA-2'; other codes are upper-cased."""
    text = code.strip().upper().replace("VII(B)", "VII(b)").replace("VII(A)", "VII(a)")
    match = _CODE.match(text)
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else text


def normalise_line(line: str) -> str:
    """'sa2' and 'SA2' become 'SA-2'; anything else is upper-cased (and then refused if unknown)."""
    text = line.strip().upper()
    match = _LINE.match(text)
    return f"{match.group(1)}-{match.group(2)}" if match else text


def category_label(un_category: str, salw_line: str = "") -> str:
    """The category in the active language, with its SALW line."""
    label = str(UN_CATEGORIES.get(un_category, un_category))
    if salw_line:
        label = f"{label} · {SALW_LINES.get(salw_line, salw_line)}"
    return label


def category_choices() -> list[tuple[str, Promise]]:
    return list(UN_CATEGORIES.items())


def salw_choices() -> list[tuple[str, Promise | str]]:
    return [("", _("Not small arms or light weapons")), *SALW_LINES.items()]
