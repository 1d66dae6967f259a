"""Automatic flags raised on a submitted application, computed from plain facts (no database)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Severity(StrEnum):
    """A blocking flag stops the case until a supervisor resolves it with a reason; an advisory one informs."""

    BLOCKING = "blocking"
    ADVISORY = "advisory"


class FlagCode(StrEnum):
    """Every automatic flag. The Django layer translates by code and fills in the params."""

    UN_EMBARGO = "un_embargo"
    UN_EMBARGO_PARTIAL = "un_embargo_partial"
    UN_EMBARGO_NON_STATE_ACTOR = "un_embargo_non_state_actor"
    UN_EMBARGO_STATE_RECIPIENT = "un_embargo_state_recipient"
    UN_EMBARGO_LISTED_ONLY = "un_embargo_listed_only"
    EMBARGO_TRANSIT = "embargo_transit"
    OTHER_EMBARGO = "other_embargo"
    SCREENING_HITS_PENDING = "screening_hits_pending"
    EUC_MISSING = "euc_missing"
    EUC_INVALID = "euc_invalid"
    EUC_REVOKED = "euc_revoked"
    EUC_QUANTITY_EXCEEDED = "euc_quantity_exceeded"
    EUC_END_USER_MISMATCH = "euc_end_user_mismatch"
    DENIAL_SAME_END_USER = "denial_same_end_user"
    DENIAL_SAME_DESTINATION = "denial_same_destination"
    QUANTITY_DISPROPORTIONATE = "quantity_disproportionate"
    QUANTITY_FIRST_IMPORT = "quantity_first_import"


@dataclass(frozen=True)
class FlagRule:
    """What a flag code means: its default severity, the treaty articles it serves, its English message."""

    severity: Severity
    articles: tuple[str, ...]
    template: str


F = FlagCode
B, A = Severity.BLOCKING, Severity.ADVISORY

FLAG_RULES: Mapping[FlagCode, FlagRule] = MappingProxyType(
    {
        F.UN_EMBARGO: FlagRule(
            B,
            ("6(1)",),
            "A UN arms embargo (%(reference)s) applies to %(country)s, the country of the %(roles)s: "
            "the transfer is prohibited.",
        ),
        F.UN_EMBARGO_PARTIAL: FlagRule(
            B,
            ("6(1)",),
            "A partial UN arms embargo (%(reference)s) applies to %(country)s, the country of the %(roles)s: "
            "the transfer is prohibited unless one of the embargo's exemptions applies and is recorded.",
        ),
        F.UN_EMBARGO_NON_STATE_ACTOR: FlagRule(
            B,
            ("6(1)",),
            "The UN arms embargo on non-state actors in %(country)s (%(reference)s) covers the %(roles)s, "
            "which is not a state body.",
        ),
        F.UN_EMBARGO_STATE_RECIPIENT: FlagRule(
            A,
            ("6(1)",),
            "A UN arms embargo on non-state actors in %(country)s (%(reference)s) exempts the government; "
            "check the sanctions committee's notification or approval requirements for the %(roles)s.",
        ),
        F.UN_EMBARGO_LISTED_ONLY: FlagRule(
            A,
            ("6(1)",),
            "A UN arms embargo on listed persons and entities in %(country)s (%(reference)s) applies: "
            "every party must be screened against the sanctions list.",
        ),
        F.EMBARGO_TRANSIT: FlagRule(
            A,
            ("6(1)", "11"),
            "The transit route crosses %(country)s, which is under an arms embargo (%(reference)s).",
        ),
        F.OTHER_EMBARGO: FlagRule(
            A,
            ("6(2)", "7"),
            "An arms embargo imposed by %(imposed_by)s (%(reference)s) applies to %(country)s, the country of the "
            "%(roles)s.",
        ),
        F.SCREENING_HITS_PENDING: FlagRule(
            B,
            ("6(1)", "11"),
            "%(count)s screening hit(s) on the parties are not yet reviewed.",
        ),
        F.EUC_MISSING: FlagRule(
            B,
            ("8(1)", "11(2)"),
            "No end-user certificate is attached to this application.",
        ),
        F.EUC_INVALID: FlagRule(
            B,
            ("11(2)",),
            "The end-user certificate %(serial)s did not verify: %(verdict)s.",
        ),
        F.EUC_REVOKED: FlagRule(
            B,
            ("11(2)",),
            "The end-user certificate %(serial)s has been revoked by its issuing authority.",
        ),
        F.EUC_QUANTITY_EXCEEDED: FlagRule(
            B,
            ("11(2)",),
            "The application asks for %(requested)s of category %(category)s; the end-user certificate %(serial)s "
            "still covers %(remaining)s.",
        ),
        F.EUC_END_USER_MISMATCH: FlagRule(
            B,
            ("11(2)",),
            "The end user on the certificate %(serial)s (%(euc_end_user)s, %(euc_country)s) is not the end user of "
            "the application (%(end_user)s, %(country)s).",
        ),
        F.DENIAL_SAME_END_USER: FlagRule(
            B,
            ("7", "11"),
            "Earlier refusals or denial notices concern the same end user %(end_user)s: %(references)s.",
        ),
        F.DENIAL_SAME_DESTINATION: FlagRule(
            A,
            ("7", "11"),
            "Earlier refusals or denial notices concern the same destination %(country)s: %(references)s.",
        ),
        F.QUANTITY_DISPROPORTIONATE: FlagRule(
            A,
            ("7(1)", "11"),
            "The quantity of category %(category)s (%(requested)s) is more than %(ratio)s times the end user's "
            "largest past import of it (%(largest)s).",
        ),
        F.QUANTITY_FIRST_IMPORT: FlagRule(
            A,
            ("7(1)", "11"),
            "The end user has no recorded import of category %(category)s, and asks for %(requested)s "
            "(more than %(threshold)s).",
        ),
    }
)


@dataclass(frozen=True)
class Flag:
    """One automatic flag on a case: code, severity, articles, English template and its params."""

    code: FlagCode
    severity: Severity
    articles: tuple[str, ...]
    template: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message with its params filled in."""
        return self.template % dict(self.params)

    @property
    def blocking(self) -> bool:
        """True when the case cannot move on until a supervisor resolves this flag."""
        return self.severity is Severity.BLOCKING


def make_flag(code: FlagCode, *, severity: Severity | None = None, **params: str) -> Flag:
    """A flag with the rule's severity, articles and message (severity may be overridden)."""
    return flag_from(code, params, severity)


def flag_from(code: FlagCode, params: Mapping[str, str], severity: Severity | None = None) -> Flag:
    """`make_flag` with the params as a mapping."""
    rule = FLAG_RULES[code]
    return Flag(code, severity or rule.severity, rule.articles, rule.template, MappingProxyType(dict(params)))


# Inputs ------------------------------------------------------------------------------------------


class EmbargoScope(StrEnum):
    """The scope column of reference/embargoes: what an embargo on a country covers."""

    FULL = "full"
    PARTIAL = "partial"
    NON_STATE_ACTORS = "non_state_actors"
    LISTED_ONLY = "listed_only"


class PartyRole(StrEnum):
    """The part a party plays in a transfer."""

    END_USER = "end_user"
    CONSIGNEE = "consignee"
    ULTIMATE_END_USER = "ultimate_end_user"
    INTERMEDIARY = "intermediary"
    BROKER = "broker"


@dataclass(frozen=True)
class Embargo:
    """An arms embargo in force, from the reference data. `imposed_by` "UN" makes it an Art. 6(1) matter."""

    target_iso2: str
    scope: EmbargoScope
    reference: str = ""
    imposed_by: str = "UN"

    @property
    def is_un(self) -> bool:
        """True for a UN Security Council embargo."""
        return self.imposed_by.strip().upper() in {"UN", "UNSC"}


@dataclass(frozen=True)
class Party:
    """A party to the application: its role, name, country and whether it is a state body."""

    role: PartyRole
    name: str
    country_iso2: str
    is_state: bool = False


@dataclass(frozen=True)
class GoodsLine:
    """A goods line, reduced to what the flags need: its category code and quantity."""

    category: str
    quantity: int


@dataclass(frozen=True)
class EucCheck:
    """The verdict of the EUC verification service and what the certificate says."""

    serial: str
    verdict: str  # "valid", "revoked", "expired", "bad_signature", ...
    end_user_name: str
    end_user_country_iso2: str
    remaining: Mapping[str, int] = field(default_factory=dict)  # category -> quantity still covered


@dataclass(frozen=True)
class Denial:
    """An earlier refusal by this authority or a denial notice shared by another one."""

    reference: str
    end_user_name: str
    country_iso2: str
    authority: str = ""
    categories: frozenset[str] = frozenset()  # empty: all categories


@dataclass(frozen=True)
class PastImport:
    """A past import by the end user (records, UN Register, EUC drawdowns)."""

    category: str
    quantity: int


@dataclass(frozen=True)
class Submission:
    """The facts of a submitted application the flag rules look at."""

    destination_iso2: str
    parties: tuple[Party, ...]
    goods: tuple[GoodsLine, ...]
    transit_iso2: tuple[str, ...] = ()
    screening_hits_pending: int = 0
    euc_required: bool = True
    euc: EucCheck | None = None
    denials: tuple[Denial, ...] = ()
    past_imports: tuple[PastImport, ...] = ()

    @property
    def end_user(self) -> Party | None:
        """The end user, if one is named."""
        return next((p for p in self.parties if p.role is PartyRole.END_USER), None)


# Rules -------------------------------------------------------------------------------------------

DESTINATION = "destination"
DEFAULT_DISPROPORTION_RATIO = 3
DEFAULT_FIRST_IMPORT_THRESHOLD = 50
VALID_EUC_VERDICT = "valid"
REVOKED_EUC_VERDICT = "revoked"

_JOINING = re.compile(r"[.'’]")  # "S.A." is "SA", "O'Brien" is "OBrien"
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Compare names the way a clerk would: no accents, case, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    joined = _JOINING.sub("", stripped.casefold())
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", joined)).strip()


def _iso(code: str) -> str:
    return code.strip().upper()


def _roles_by_country(sub: Submission) -> dict[str, list[str]]:
    """Country -> the roles located there, the destination first."""
    located: dict[str, list[str]] = {}
    located.setdefault(_iso(sub.destination_iso2), []).append(DESTINATION)
    for party in sub.parties:
        roles = located.setdefault(_iso(party.country_iso2), [])
        if party.role.value not in roles:
            roles.append(party.role.value)
    return located


def embargo_flags(
    sub: Submission, embargoes: Iterable[Embargo], *, binding: frozenset[str] = frozenset()
) -> list[Flag]:
    """Embargoes on the destination, a party's country or a transit country.

    A full or partial UN embargo blocks (a partial one until the supervisor records the exemption);
    one on non-state actors blocks when a party there is not a state body; one on listed persons
    only advises screening. Non-UN embargoes advise, or block when imposed by a body in `binding`
    (an obligation under Art. 6(2)).
    """
    located = _roles_by_country(sub)
    transit = {_iso(c) for c in sub.transit_iso2}
    flags: list[Flag] = []
    for embargo in embargoes:
        country = _iso(embargo.target_iso2)
        if not country:
            continue  # a list-based regime with no territory: the screening lists carry it
        roles = located.get(country)
        if roles is None:
            if country in transit and embargo.scope is not EmbargoScope.LISTED_ONLY:
                reference = embargo.reference or "no reference recorded"
                flags.append(make_flag(F.EMBARGO_TRANSIT, country=country, reference=reference))
            continue
        flags.extend(_embargo_on_parties(sub, embargo, country, roles, binding))
    return flags


def _embargo_on_parties(
    sub: Submission, embargo: Embargo, country: str, roles: list[str], binding: frozenset[str]
) -> list[Flag]:
    reference = embargo.reference or "no reference recorded"
    params = {"country": country, "reference": reference, "roles": ", ".join(roles).replace("_", " ")}
    if not embargo.is_un:
        severity = B if embargo.imposed_by in binding else A
        return [flag_from(F.OTHER_EMBARGO, {**params, "imposed_by": embargo.imposed_by}, severity)]
    if embargo.scope is EmbargoScope.LISTED_ONLY:
        return [flag_from(F.UN_EMBARGO_LISTED_ONLY, params)]
    if embargo.scope is EmbargoScope.NON_STATE_ACTORS:
        there = [p for p in sub.parties if _iso(p.country_iso2) == country]
        if not there and sub.end_user is not None:
            there = [sub.end_user]  # the destination is embargoed; judge by the end user
        non_state = [p.role.value.replace("_", " ") for p in there if not p.is_state]
        if non_state or not there:
            return [flag_from(F.UN_EMBARGO_NON_STATE_ACTOR, {**params, "roles": ", ".join(non_state) or "end user"})]
        return [flag_from(F.UN_EMBARGO_STATE_RECIPIENT, params)]
    if embargo.scope is EmbargoScope.PARTIAL:
        return [flag_from(F.UN_EMBARGO_PARTIAL, params)]
    return [flag_from(F.UN_EMBARGO, params)]


def screening_flags(sub: Submission) -> list[Flag]:
    """Screening hits that nobody has reviewed yet."""
    if sub.screening_hits_pending <= 0:
        return []
    return [make_flag(F.SCREENING_HITS_PENDING, count=str(sub.screening_hits_pending))]


def euc_flags(sub: Submission, *, normalise: Callable[[str], str] = normalise_name) -> list[Flag]:
    """A missing, invalid or revoked EUC, quantities beyond it, or an end user other than the application's."""
    euc = sub.euc
    if euc is None:
        return [make_flag(F.EUC_MISSING)] if sub.euc_required else []
    verdict = euc.verdict.strip().lower()
    if verdict == REVOKED_EUC_VERDICT:
        return [make_flag(F.EUC_REVOKED, serial=euc.serial)]
    flags: list[Flag] = []
    if verdict != VALID_EUC_VERDICT:
        flags.append(make_flag(F.EUC_INVALID, serial=euc.serial, verdict=verdict.replace("_", " ")))
    requested: dict[str, int] = {}
    for line in sub.goods:
        requested[line.category] = requested.get(line.category, 0) + line.quantity
    for category, quantity in requested.items():
        remaining = euc.remaining.get(category, 0)
        if quantity > remaining:
            flags.append(
                make_flag(
                    F.EUC_QUANTITY_EXCEEDED,
                    serial=euc.serial,
                    category=category,
                    requested=str(quantity),
                    remaining=str(remaining),
                )
            )
    end_user = sub.end_user
    if end_user is not None and (
        normalise(end_user.name) != normalise(euc.end_user_name)
        or _iso(end_user.country_iso2) != _iso(euc.end_user_country_iso2)
    ):
        flags.append(
            make_flag(
                F.EUC_END_USER_MISMATCH,
                serial=euc.serial,
                euc_end_user=euc.end_user_name,
                euc_country=_iso(euc.end_user_country_iso2),
                end_user=end_user.name,
                country=_iso(end_user.country_iso2),
            )
        )
    return flags


def denial_flags(sub: Submission, *, normalise: Callable[[str], str] = normalise_name) -> list[Flag]:
    """Earlier refusals and denial notices for the same end user (blocking) or destination (advisory).

    A destination match counts only when the denial covered one of the application's categories (or
    all categories), so that one refusal of rifles does not flag every later sale of ships.
    """
    end_user = sub.end_user
    wanted = normalise(end_user.name) if end_user is not None else None
    destination = _iso(sub.destination_iso2)
    categories = {line.category for line in sub.goods}
    same_user: list[str] = []
    same_destination: list[str] = []
    for denial in sub.denials:
        label = f"{denial.reference} ({denial.authority})" if denial.authority else denial.reference
        if wanted and normalise(denial.end_user_name) == wanted:
            same_user.append(label)
        elif _iso(denial.country_iso2) == destination and (not denial.categories or denial.categories & categories):
            same_destination.append(label)
    flags: list[Flag] = []
    if same_user and end_user is not None:
        flags.append(make_flag(F.DENIAL_SAME_END_USER, end_user=end_user.name, references="; ".join(same_user)))
    if same_destination:
        flags.append(make_flag(F.DENIAL_SAME_DESTINATION, country=destination, references="; ".join(same_destination)))
    return flags


def proportionality_flags(
    sub: Submission,
    *,
    ratio: int = DEFAULT_DISPROPORTION_RATIO,
    first_import_threshold: int = DEFAULT_FIRST_IMPORT_THRESHOLD,
    first_import_thresholds: Mapping[str, int] | None = None,
) -> list[Flag]:
    """Quantities out of proportion with the end user's past imports, per category.

    More than `ratio` times the largest past import of the category, or, with no past import of it,
    more than the category's threshold (`first_import_thresholds`, else `first_import_threshold`).
    """
    largest: dict[str, int] = {}
    for record in sub.past_imports:
        largest[record.category] = max(largest.get(record.category, 0), record.quantity)
    requested: dict[str, int] = {}
    for line in sub.goods:
        requested[line.category] = requested.get(line.category, 0) + line.quantity
    thresholds = first_import_thresholds or {}
    flags: list[Flag] = []
    for category, quantity in requested.items():
        past = largest.get(category, 0)
        if past > 0 and quantity > ratio * past:
            flags.append(
                make_flag(
                    F.QUANTITY_DISPROPORTIONATE,
                    category=category,
                    requested=str(quantity),
                    ratio=str(ratio),
                    largest=str(past),
                )
            )
        elif past == 0:
            threshold = thresholds.get(category, first_import_threshold)
            if quantity > threshold:
                flags.append(
                    make_flag(
                        F.QUANTITY_FIRST_IMPORT, category=category, requested=str(quantity), threshold=str(threshold)
                    )
                )
    return flags


def submission_flags(
    sub: Submission,
    embargoes: Sequence[Embargo] = (),
    *,
    binding_embargo_authorities: frozenset[str] = frozenset(),
    normalise: Callable[[str], str] = normalise_name,
    ratio: int = DEFAULT_DISPROPORTION_RATIO,
    first_import_threshold: int = DEFAULT_FIRST_IMPORT_THRESHOLD,
    first_import_thresholds: Mapping[str, int] | None = None,
) -> list[Flag]:
    """Every automatic flag for a submitted application, blocking ones first."""
    flags = [
        *embargo_flags(sub, embargoes, binding=binding_embargo_authorities),
        *screening_flags(sub),
        *euc_flags(sub, normalise=normalise),
        *denial_flags(sub, normalise=normalise),
        *proportionality_flags(
            sub,
            ratio=ratio,
            first_import_threshold=first_import_threshold,
            first_import_thresholds=first_import_thresholds,
        ),
    ]
    return sorted(flags, key=lambda f: not f.blocking)
