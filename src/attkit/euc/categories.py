"""Codes for goods lines: UN Register categories, SALW lines, units (until reference data provides them).

Source: DOMAIN.md section 3 (UN Register categories I-VII and the small arms and light weapons lines of
the UN Register's SALW form). The codes are those of the reference data (reference/data/categories.csv,
editable in the admin, with its source); a test keeps the two in step. The certificate stores codes, so
reading the labels from the reference tables later changes no stored record.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

CATEGORY_SOURCE = "UN Register of Conventional Arms, categories I-VII and SALW form (DOMAIN.md section 3)"

UN_CATEGORIES: dict[str, StrPromise] = {
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

SALW_LINES: dict[str, StrPromise] = {
    "SA-1": _("Small arms 1: Revolvers and self-loading pistols"),
    "SA-2": _("Small arms 2: Rifles and carbines"),
    "SA-3": _("Small arms 3: Sub-machine guns"),
    "SA-4": _("Small arms 4: Assault rifles"),
    "SA-5": _("Small arms 5: Light machine guns"),
    "SA-6": _("Small arms 6: Others"),
    "LW-1": _("Light weapons 1: Heavy machine guns"),
    "LW-2": _("Light weapons 2: Hand-held under-barrel and mounted grenade launchers"),
    "LW-3": _("Light weapons 3: Portable anti-tank guns"),
    "LW-4": _("Light weapons 4: Recoilless rifles"),
    "LW-5": _("Light weapons 5: Portable anti-tank missile launchers and rocket systems"),
    "LW-6": _("Light weapons 6: Mortars of calibres less than 75 mm"),
    "LW-7": _("Light weapons 7: Others"),
}

UNITS: dict[str, StrPromise] = {
    "unit": _("units"),
    "set": _("sets"),
    "round": _("rounds"),
    "kg": _("kilograms"),
}


def category_code(un_category: str, salw_line: str = "") -> str:
    """One code for a goods line's category, as the reference data spells it: 'II', 'VII(b)', 'VIII-SA-2'."""
    return f"{un_category}-{salw_line}" if salw_line else un_category


def category_label(un_category: str, salw_line: str = "") -> str:
    label = str(UN_CATEGORIES.get(un_category, un_category))
    if salw_line:
        label = f"{label} · {SALW_LINES.get(salw_line, salw_line)}"
    return label
