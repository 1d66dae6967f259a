"""Country names in English and Spanish (pycountry's ISO 3166 names and their translations)."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language


@cache
def _spanish() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    except OSError:
        return gettext.NullTranslations()


def country_name(code: str, language: str | None = None) -> str:
    """The country's common name in the language (the active one by default); the code if unknown."""
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    if country is None:
        return code or ""
    name = getattr(country, "common_name", None) or country.name
    lang = language or get_language() or "en"
    if lang.startswith("es"):
        return _spanish().gettext(country.name)
    return str(name)


def choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every country, sorted by name in the language."""
    rows = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    return sorted(rows, key=lambda r: r[1].casefold())
