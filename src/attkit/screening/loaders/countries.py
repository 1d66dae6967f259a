"""Country names as written in sanctions lists, turned into ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Names the lists use that pycountry does not know, or knows under another name. Keys are
# in the folded form of `_fold`. Sources: the UN consolidated list, the OFAC SDN set.
ALIASES: dict[str, str] = {
    "russia": "RU",
    "korea north": "KP",
    "korea south": "KR",
    "south korea": "KR",
    "burma": "MM",
    "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "drc": "CD",
    "congo republic of the": "CG",
    "republic of the congo": "CG",
    "palestinian": "PS",
    "palestine": "PS",
    "state of palestine": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "region gaza": "PS",
    "region crimea": "UA",
    "region northern mali": "ML",
    "kosovo": "XK",
    "turkey": "TR",
    "macau": "MO",
    "macao": "MO",
    "cote d ivoire": "CI",
    "ivory coast": "CI",
    "brunei": "BN",
    "swaziland": "SZ",
    "iran islamic republic of": "IR",
    "gambia the": "GM",
    "the gambia": "GM",
    "bahamas the": "BS",
    "the bahamas": "BS",
    "curacao": "CW",
    "sint maarten": "SX",
    "st kitts and nevis": "KN",
    "virgin islands british": "VG",
    "british virgin islands": "VG",
    "united states": "US",
    "usa": "US",
    "uk": "GB",
    "great britain": "GB",
    "vatican": "VA",
    "holy see": "VA",
    "laos": "LA",
    "syria": "SY",
    "former soviet union": "SU",
    "soviet union": "SU",
    "ussr": "SU",
    "yugoslavia": "YU",
    "serbia and montenegro": "CS",
    "netherlands antilles": "AN",
    "czechoslovakia": "CS",
}

# Values that say "no country" rather than name one.
_NONE = {"", "na", "n a", "none", "unknown", "undetermined", "stateless", "not known", "0"}


def _fold(name: str) -> str:
    text = name.casefold().replace("ü", "u").replace("ç", "c").replace("ô", "o").replace("é", "e")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """The ISO alpha-2 code of a country name or code, or None when it names no known country."""
    if name is None:
        return None
    folded = _fold(name)
    if folded in _NONE:
        return None
    if folded in ALIASES:
        return ALIASES[folded]
    if len(folded) == 2 and folded.isalpha():
        country = pycountry.countries.get(alpha_2=folded.upper())
        return country.alpha_2 if country else None
    for database in (pycountry.countries, pycountry.historic_countries):
        try:
            found = database.lookup(name.strip())
        except LookupError:
            continue
        return str(found.alpha_2)
    # "Korea, Republic of" style inversions.
    if "," in name:
        head, _, tail = name.partition(",")
        return country_code(f"{tail.strip()} {head.strip()}")
    return None


def country_codes(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    codes: dict[str, None] = {}
    for name in names:
        code = country_code(name)
        if code:
            codes.setdefault(code, None)
    return tuple(codes)
