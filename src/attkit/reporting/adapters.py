"""Where reporting reads what other apps own: licences, licensing decisions, EUCs, reference data.

Each adapter works whether or not the other app is there yet. Licensing is looked up by name at run time
(`importlib`), so reporting neither imports it statically nor breaks while it is being built:

- `licences_for(authority)` -> list[LicenceRef(reference, hs_codes, quantity_authorised, quantity_used)].
  The first of these that exists answers: `attkit.licensing.stats.licence_refs(authority)`, then
  `attkit.licensing.models.Licence.licence_refs(authority)` (each an iterable of such 4-tuples); otherwise
  the authority's current *authorised* transfer records with a licence reference stand in (authorised =
  their summed quantity, used = the summed quantity of the *actual* records citing the same licence, HS
  codes = the codes on those records). Licensing writes those records itself through `record_transfer`
  when it issues a licence and when customs record a shipment, so the fallback sees its licences too.
- `licensing_decisions(authority)` -> list[Decision] or None. Reads `attkit.licensing.stats.decisions(authority)`
  (an iterable of (decided_on, days, outcome, criteria)); None hides the charts with a note.
- `euc_counts(authority)` -> {year: {"issued", "used", "closed"}} or None, from attkit.euc's certificates.
"""

from __future__ import annotations

import datetime as dt
import gettext
import importlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pycountry
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.db.models import Count, Q, Sum

from attkit.core.models import Authority
from attkit.reporting import categories
from attkit.reporting.models import Basis, TransferRecord
from attkit.reporting.reconcile import LicenceRef

logger = logging.getLogger(__name__)

_ABSENT = (ImportError, LookupError, AttributeError, DatabaseError, FieldError, TypeError)


def _optional_module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def licences_for(authority: Authority) -> list[LicenceRef]:
    """The authority's licences as reconciliation sees them (see the module docstring)."""
    refs_of = _licensing_refs()
    if refs_of is not None:
        try:
            return [
                LicenceRef(str(ref), tuple(str(c) for c in codes), None if auth is None else int(auth), int(used or 0))
                for ref, codes, auth, used in refs_of(authority)
            ]
        except _ABSENT:
            logger.warning("licensing's Licence.licence_refs failed; reconciling against authorised records")
    return licences_from_records(authority)


def _licensing_refs() -> Any | None:
    stats = _optional_module("attkit.licensing.stats")
    refs_of = getattr(stats, "licence_refs", None) if stats is not None else None
    if callable(refs_of):
        return refs_of
    module = _optional_module("attkit.licensing.models")
    refs_of = getattr(getattr(module, "Licence", None), "licence_refs", None) if module is not None else None
    return refs_of if callable(refs_of) else None


def licensing_provides_licences() -> bool:
    return _licensing_refs() is not None


def licences_from_records(authority: Authority) -> list[LicenceRef]:
    current = TransferRecord.objects.for_authority(authority).current().exclude(licence_reference="")
    authorised = (
        current.filter(basis=Basis.AUTHORISED)
        .values("licence_reference")
        .annotate(q=Sum("quantity"), n=Count("id"), nq=Count("quantity"))
        .order_by("licence_reference")
    )
    used = dict(
        current.filter(basis=Basis.ACTUAL)
        .values("licence_reference")
        .annotate(q=Sum("quantity"))
        .values_list("licence_reference", "q")
    )
    codes: dict[str, set[str]] = defaultdict(set)
    for ref, hs in (
        current.filter(basis=Basis.AUTHORISED).exclude(hs_code="").values_list("licence_reference", "hs_code")
    ):
        codes[ref].add(hs)
    out = []
    for row in authorised:
        ref = row["licence_reference"]
        limit = row["q"] if row["nq"] == row["n"] else None  # a record without a quantity: no quantity limit known
        out.append(LicenceRef(ref, tuple(sorted(codes.get(ref, ()))), limit, int(used.get(ref) or 0)))
    return out


@dataclass(frozen=True)
class Decision:
    decided_on: dt.date
    days: float
    outcome: str  # "approved" or "refused"
    criteria: tuple[str, ...]


def licensing_decisions(authority: Authority) -> list[Decision] | None:
    """Licensing decisions for the charts, or None while licensing does not provide them."""
    module = _optional_module("attkit.licensing.stats")
    source = getattr(module, "decisions", None) if module is not None else None
    if not callable(source):
        return None
    try:
        return [
            Decision(decided_on, float(days), str(outcome), tuple(str(c) for c in criteria))
            for decided_on, days, outcome, criteria in source(authority)
        ]
    except _ABSENT:
        logger.warning("attkit.licensing.stats.decisions failed; licensing charts hidden")
        return None


def euc_counts(authority: Authority) -> dict[int, dict[str, int]] | None:
    """End-user certificates issued, used and closed per year of issue, or None without the EUC app."""
    try:
        model = apps.get_model("euc", "EndUserCertificate")
        rows = (
            model.objects.filter(authority=authority, issue_date__isnull=False)
            .values("issue_date__year")
            .annotate(
                issued=Count("id"),
                used=Count("id", filter=Q(status__in=("partially_used", "used", "closed"))),
                closed=Count("id", filter=Q(status="closed")),
            )
            .order_by("issue_date__year")
        )
        return {
            int(r["issue_date__year"]): {"issued": r["issued"], "used": r["used"], "closed": r["closed"]} for r in rows
        }
    except _ABSENT:
        return None


# Reference data: the reference app's tables when loaded, constant lists otherwise.


def valid_categories() -> frozenset[str]:
    try:
        model = apps.get_model("reference", "Category")
        codes = {categories.from_reference_code(c) for c in model.objects.values_list("code", flat=True)}
    except _ABSENT:
        codes = set()
    codes.discard(None)
    return frozenset(c for c in codes if c) or frozenset(categories.CODES)


@cache
def country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@cache
def _pycountry_es() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    except OSError:
        return gettext.NullTranslations()


def _pycountry_name(code: str, lang: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    if lang.startswith("es"):
        return _pycountry_es().gettext(country.name)
    return str(getattr(country, "common_name", None) or country.name)


def country_names(codes: Iterable[str], lang: str) -> dict[str, str]:
    """Names of states in the language asked for: the reference app's Country table, else pycountry's."""
    wanted = {c for c in codes if c}
    names: dict[str, str] = {}
    try:
        model = apps.get_model("reference", "Country")
        field = "name_es" if lang.startswith("es") else "name_en"
        for code, name, name_en in model.objects.filter(alpha2__in=wanted).values_list("alpha2", field, "name_en"):
            names[code] = name or name_en
    except _ABSENT:
        pass
    for code in wanted - set(names):
        names[code] = _pycountry_name(code, lang)
    return names


def country_choices(lang: str) -> list[tuple[str, str]]:
    names = country_names(country_codes(), lang)
    return sorted(((c, f"{names[c]} ({c})") for c in names), key=lambda x: x[1])


def category_choices(lang: str, codes: Sequence[str] | None = None) -> list[tuple[str, str]]:
    wanted = codes or sorted(valid_categories(), key=categories.sort_key)
    return [(c, categories.label(c, lang)) for c in wanted]
