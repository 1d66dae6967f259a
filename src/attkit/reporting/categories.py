"""The category codes a transfer record may carry (UN Register I-VII, SALW lines of VIII, Art. 3, Art. 4).

This is the one constant list the records validate against when the reference app's Category table
is empty or absent. Codes are stored in the canonical form "I", "VII(b)", "VIII.SA.4", "VIII.LW.6",
"ART3", "ART4"; the reference app spells SALW lines "VIII-SA-4", and `normalize` accepts both.
No Django import: the CSV importer and the report builder use it without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    name_en: str
    name_es: str
    group: str  # "register", "salw", "small_arms", "light_weapons", "national"

    def name(self, lang: str) -> str:
        return self.name_es if lang.startswith("es") else self.name_en


# Names follow the reference data (src/attkit/reference/data/categories.csv) and the glossary's official terms.
CATEGORIES: tuple[CategoryInfo, ...] = (
    CategoryInfo("I", "Battle tanks", "Carros de combate", "register"),
    CategoryInfo("II", "Armoured combat vehicles", "Vehículos blindados de combate", "register"),
    CategoryInfo("III", "Large-calibre artillery systems", "Sistemas de artillería de gran calibre", "register"),
    CategoryInfo(
        "IV",
        "Combat aircraft and unmanned combat aerial vehicles",
        "Aviones de combate y vehículos aéreos de combate no tripulados",
        "register",
    ),
    CategoryInfo("V", "Attack helicopters", "Helicópteros de ataque", "register"),
    CategoryInfo("VI", "Warships", "Buques de guerra", "register"),
    CategoryInfo("VII", "Missiles and missile launchers", "Misiles y lanzamisiles", "register"),
    CategoryInfo("VII(a)", "Missiles and missile launchers", "Misiles y lanzamisiles", "register"),
    CategoryInfo(
        "VII(b)",
        "Man-portable air-defence systems (MANPADS)",
        "Sistemas portátiles de defensa antiaérea (MANPADS)",
        "register",
    ),
    CategoryInfo(
        "VIII",
        "Small arms and light weapons (line not given)",
        "Armas pequeñas y armas ligeras (línea no indicada)",
        "salw",
    ),
    CategoryInfo("VIII.SA.1", "Revolvers and self-loading pistols", "Revólveres y pistolas automáticas", "small_arms"),
    CategoryInfo("VIII.SA.2", "Rifles and carbines", "Fusiles y carabinas", "small_arms"),
    CategoryInfo("VIII.SA.3", "Sub-machine guns", "Subametralladoras", "small_arms"),
    CategoryInfo("VIII.SA.4", "Assault rifles", "Fusiles de asalto", "small_arms"),
    CategoryInfo("VIII.SA.5", "Light machine guns", "Ametralladoras ligeras", "small_arms"),
    CategoryInfo("VIII.SA.6", "Others", "Otras", "small_arms"),
    CategoryInfo("VIII.LW.1", "Heavy machine guns", "Ametralladoras pesadas", "light_weapons"),
    CategoryInfo(
        "VIII.LW.2",
        "Hand-held under-barrel and mounted grenade launchers",
        "Lanzagranadas portátiles, con y sin soporte",
        "light_weapons",
    ),
    CategoryInfo("VIII.LW.3", "Portable anti-tank guns", "Cañones antitanque portátiles", "light_weapons"),
    CategoryInfo("VIII.LW.4", "Recoilless rifles", "Fusiles sin retroceso", "light_weapons"),
    CategoryInfo(
        "VIII.LW.5",
        "Portable anti-tank missile launchers and rocket systems",
        "Lanzadores portátiles de misiles antitanque y sistemas de cohetes",
        "light_weapons",
    ),
    CategoryInfo(
        "VIII.LW.6", "Mortars of calibres less than 75 mm", "Morteros de calibre inferior a 75 mm", "light_weapons"
    ),
    CategoryInfo("VIII.LW.7", "Others", "Otras", "light_weapons"),
    CategoryInfo("ART3", "Ammunition/munitions (Art. 3)", "Municiones (art. 3)", "national"),
    CategoryInfo("ART4", "Parts and components (Art. 4)", "Partes y componentes (art. 4)", "national"),
)

BY_CODE: dict[str, CategoryInfo] = {c.code: c for c in CATEGORIES}
CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
ORDER: dict[str, int] = {c.code: i for i, c in enumerate(CATEGORIES)}

_REGISTER = re.compile(r"^(I|II|III|IV|V|VI|VII)(?:[\s.\-_]*\(?\s*([AB])\s*\)?)?$")
_SALW = re.compile(r"^VIII(?:[\s.\-_]*(SA|LW)[\s.\-_]*([1-9]))?$")
_ARTICLE = re.compile(r"^ART(?:ICLE)?[\s.\-_]*([34])$")


def normalize(raw: str) -> str | None:
    """The canonical code for a spelling such as "viii-sa-4", "VIII SA 4", "VII b", "Art. 3"; None if unreadable."""
    text = (raw or "").strip().upper()
    if not text:
        return None
    if m := _REGISTER.match(text):
        roman, sub = m.groups()
        if sub is None:
            return roman
        return f"VII({sub.lower()})" if roman == "VII" else None
    if m := _SALW.match(text):
        group, line = m.groups()
        return "VIII" if group is None else f"VIII.{group}.{line}"
    if m := _ARTICLE.match(text):
        return f"ART{m.group(1)}"
    return None


def from_reference_code(code: str) -> str | None:
    """The canonical form of a code of the reference app's Category table ("VIII-SA-4" -> "VIII.SA.4")."""
    return normalize(code)


def label(code: str, lang: str = "en") -> str:
    info = BY_CODE.get(code)
    if info is None:
        return code
    return f"{code} · {info.name(lang)}"


def sort_key(code: str) -> tuple[int, str]:
    return (ORDER.get(code, len(ORDER)), code)


def is_chapter_93(hs_code: str) -> bool:
    return "".join(ch for ch in hs_code if ch.isdigit()).startswith("93")
