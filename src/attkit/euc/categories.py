"""Codes for goods lines: UN Register categories, SALW lines, units (until reference data provides them).

Source: DOMAIN.md section 3 (UN Register categories I-VII and the small arms and light weapons lines of
the UN Register's SALW form, as in the Register's standardized reporting forms). The reference app is
meant to hold these as editable data with their source; the certificate stores codes, so a later switch
to reference tables changes no stored record.
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
    "VIII": _("VIII. Small arms and light weapons"),
    "ART3": _("Ammunition/munitions (Art. 3)"),
    "ART4": _("Parts and components (Art. 4)"),
}

SALW_LINES: dict[str, StrPromise] = {
    "SA1": _("Small arms 1: Revolvers and self-loading pistols"),
    "SA2": _("Small arms 2: Rifles and carbines"),
    "SA3": _("Small arms 3: Sub-machine guns"),
    "SA4": _("Small arms 4: Assault rifles"),
    "SA5": _("Small arms 5: Light machine guns"),
    "SA6": _("Small arms 6: Others"),
    "LW1": _("Light weapons 1: Heavy machine guns"),
    "LW2": _("Light weapons 2: Hand-held under-barrel and mounted grenade launchers"),
    "LW3": _("Light weapons 3: Portable anti-tank guns"),
    "LW4": _("Light weapons 4: Recoilless rifles"),
    "LW5": _("Light weapons 5: Portable anti-tank missile launchers and rocket systems"),
    "LW6": _("Light weapons 6: Mortars of calibres less than 75 mm"),
    "LW7": _("Light weapons 7: Others"),
}

UNITS: dict[str, StrPromise] = {
    "unit": _("units"),
    "set": _("sets"),
    "round": _("rounds"),
    "kg": _("kilograms"),
}


def category_code(un_category: str, salw_line: str = "") -> str:
    """One code for a goods line's category: 'II', or 'VIII-SA2' for a SALW line."""
    return f"{un_category}-{salw_line}" if salw_line else un_category


def category_label(un_category: str, salw_line: str = "") -> str:
    label = str(UN_CATEGORIES.get(un_category, un_category))
    if salw_line:
        label = f"{label} · {SALW_LINES.get(salw_line, salw_line)}"
    return label
