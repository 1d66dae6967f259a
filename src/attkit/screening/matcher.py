"""Score how likely a screened party is a listed entry (0 to 1), with an explanation of what matched."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from attkit.screening.loaders.countries import country_code
from attkit.screening.loaders.model import BirthDate, ListEntry, NameQuality, Schema
from attkit.screening.normalize import AnalysedName, InvalidName, Role, Script, Token, analyse, name_variants

#: The score at or above which a match is an alert for an officer. The Django setting
#: ATTKIT_SCREENING_THRESHOLD defaults to this value; docs/decisions/0003 says why 0.7.
DEFAULT_THRESHOLD = 0.7

# --- Token similarity -------------------------------------------------------------------------
#: Below this a token pair is not an alignment but, when both sides have such a token left over,
#: a conflict ("Daniel Tusk" / "Donald Tusk").
MIN_TOKEN_SIMILARITY = 0.6
OVER_BUDGET = 0.5  # the similarity of words further apart than their edit budget
FOLD_FACTOR = 0.95  # equal after folding transliteration variants (Qadhafi / Kadhafi)
SKELETON_FACTOR = 0.9  # equal consonants across an abjad (محمد / Mohammed)
SYMBOL_SCORE = 0.9  # two legal forms of one class in rigour's org-type data (GmbH / Ltd / S.R.L.)
INITIAL_SCORE = 0.75  # "J" for "Joachim"

# --- Name score -------------------------------------------------------------------------------
ROLE_WEIGHTS = {
    Role.NAME: 1.0,
    Role.INITIAL: 0.4,
    Role.NUMBER: 0.5,
    Role.PARTICLE: 0.15,
    Role.LEGAL: 0.3,
    Role.TITLE: 0.2,
}
CONFLICT_WEIGHT = 2.5  # a name part contradicted on both sides counts this many times against
NUMBER_CONFLICT_WEIGHT = 1.0  # "Fund VII" / "Fund VIII": a sibling in a series, shown to the officer
EXTRA_QUERY_WEIGHT = 0.4  # a query name part absent from the list name (an extra middle name)
EXTRA_CANDIDATE_WEIGHT = 0.25  # a list name part absent from the query (lists give full names)
ACRONYM_SCORE = 0.85  # "PLA" for "People's Liberation Army"
TRUNCATED_SCORE = 0.75  # the last word cut short: "BELKASSEM DR" for "BELKASSEM DRISSI"
TRUNCATION_LENGTH = 25  # only names this long are cut short by fixed-width fields
PLACE_EXTRA_FACTOR = 0.5  # a country named on one side only: "PLA China", a local subsidiary
SINGLE_NAME_FACTOR = 0.7  # one matching part of a person with several: "Muammar" alone is no alert
WEAK_ALIAS_FACTOR = 0.9  # a low-quality alias (UN "Low", OFAC remarks a.k.a.) is weaker evidence

# --- Other evidence -----------------------------------------------------------------------------
DOB_EXACT_BONUS = 0.08
DOB_YEAR_BONUS = 0.03
DOB_YEAR_CONFLICT = 0.2
DOB_DAY_CONFLICT = 0.1
COUNTRY_BONUS = 0.03
COUNTRY_CONFLICT = 0.05
DOCUMENT_FLOOR = 0.9  # an identity document number found on the entry
SCHEMA_MISMATCH_FACTOR = 0.7

_CORE = (Role.NAME, Role.NUMBER, Role.INITIAL)


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """Query words aligned with candidate words, how similar they are and why."""

    query: str
    candidate: str
    similarity: float
    method: str  # exact, spelling, transliteration, consonants, symbol, initial, joined, conflict

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "candidate": self.candidate, "similarity": round(self.similarity, 3)} | {
            "method": self.method
        }


@dataclass(frozen=True, slots=True)
class NameComparison:
    score: float
    query_name: str
    candidate_name: str
    matches: tuple[TokenMatch, ...] = ()
    conflicts: tuple[TokenMatch, ...] = ()
    query_extra: tuple[str, ...] = ()
    candidate_extra: tuple[str, ...] = ()
    down_weighted: tuple[str, ...] = ()  # legal forms, particles and titles, which count little
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "query_name": self.query_name,
            "candidate_name": self.candidate_name,
            "matches": [m.to_dict() for m in self.matches],
            "conflicts": [m.to_dict() for m in self.conflicts],
            "query_extra": list(self.query_extra),
            "candidate_extra": list(self.candidate_extra),
            "down_weighted": list(self.down_weighted),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    summary: str
    name: NameComparison
    dob: str | None = None
    country: str | None = None
    document: str | None = None
    adjustments: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "name": self.name.to_dict(),
            "dob": self.dob,
            "country": self.country,
            "document": self.document,
            "adjustments": [{"reason": reason, "delta": round(delta, 4)} for reason, delta in self.adjustments],
        }


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: float
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class Query:
    """A party to screen: a name and, when known, its kind, date of birth, country and documents."""

    name: str
    schema: str | None = None  # person, organization, vessel, aircraft; None when unknown
    dob: str | dt.date | None = None  # 1958-07-10, 1958-07 or 1958
    country: str | None = None  # ISO alpha-2 or a country name
    documents: tuple[str, ...] = field(default=())  # passport, ID or registration numbers

    def birth_date(self) -> BirthDate | None:
        return parse_dob(self.dob)

    def country_code(self) -> str | None:
        return country_code(self.country) if self.country else None


def parse_dob(value: str | dt.date | None) -> BirthDate | None:
    """A query date of birth: a date, 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return BirthDate.exact(value)
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return BirthDate.year(int(text))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"date of birth {value!r}: month {month} does not exist")
        return BirthDate(int(match.group(1)), int(match.group(1)), month)
    try:
        return BirthDate.exact(dt.date.fromisoformat(text))
    except ValueError:
        raise ValueError(f"date of birth {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY") from None


# --- Token similarity ---------------------------------------------------------------------------


def edit_budget(length: int) -> int:
    """How many edits a word of this length may take and still be the same name (1, 2, 3 ...)."""
    return 1 + length // 5


@lru_cache(maxsize=100_000)
def _text_similarity(a: str, b: str, fold_a: str, fold_b: str) -> tuple[float, str]:
    """Edit similarity within an edit budget; a real other name ("Ortiz", "Ortega") falls below it."""
    length = max(len(a), len(b))
    distance = OSA.distance(a, b)
    raw = 1.0 - distance / length
    if distance > edit_budget(length):
        raw = min(raw, OVER_BUDGET)
    if fold_a == fold_b:
        return max(raw, FOLD_FACTOR), "transliteration"
    fold_length = max(len(fold_a), len(fold_b))
    if fold_length >= 5 and OSA.distance(fold_a, fold_b) <= 1:
        folded = (1.0 - 1 / fold_length) * FOLD_FACTOR
        if folded > raw:
            return folded, "transliteration"
    return raw, "spelling"


def token_similarity(a: Token, b: Token) -> tuple[float, str]:
    """How alike two name tokens are (0..1) and the kind of likeness."""
    if a.role is Role.NAME and b.role is Role.NAME and a.script is Script.LATIN and b.script is Script.LATIN:
        if a.text == b.text:
            return 1.0, "exact"
        best, method = _text_similarity(a.text, b.text, a.fold, b.fold)
        if best < SYMBOL_SCORE and a.symbols and b.symbols and not a.symbols.isdisjoint(b.symbols):
            return SYMBOL_SCORE, "symbol"
        return best, method
    if a.script is Script.CJK and b.script is Script.CJK:
        if a.native == b.native:
            return 1.0, "exact"
        # One CJK character is a syllable: compare the characters, not their romanisation.
        best, method = OSA.normalized_similarity(a.native, b.native), "spelling"
    elif a.text == b.text:
        return 1.0, "exact"
    elif a.role is Role.INITIAL or b.role is Role.INITIAL:
        if a.role is b.role:
            return 0.0, "initial"
        initial, full = (a, b) if a.role is Role.INITIAL else (b, a)
        if full.role is Role.NAME and full.text.startswith(initial.text):
            return INITIAL_SCORE, "initial"
        return 0.0, "initial"
    elif a.role is Role.NUMBER or b.role is Role.NUMBER:
        return 0.0, "number"
    else:
        best, method = _text_similarity(a.text, b.text, a.fold, b.fold)
        if a.script is b.script and a.script is Script.OTHER:
            native = OSA.normalized_similarity(a.native, b.native)
            if native > best:
                best, method = native, "spelling"
        if Script.ABJAD in (a.script, b.script):
            consonants = OSA.normalized_similarity(a.skeleton, b.skeleton) * SKELETON_FACTOR
            if consonants > best:
                best, method = consonants, "consonants"
    if best < SYMBOL_SCORE and a.symbols and b.symbols and not a.symbols.isdisjoint(b.symbols):
        best, method = SYMBOL_SCORE, "symbol"
    return best, method


# --- Name alignment -----------------------------------------------------------------------------


def _truncated(a: Token, b: Token, a_last: bool, b_last: bool) -> bool:
    """The last word of one name cut short ("BELKASSEM DR" for "BELKASSEM DRISSI"), as fixed-width fields do."""
    if a.role is not Role.NAME or b.role is not Role.NAME:
        return False
    short, long, short_last = (a, b, a_last) if len(a.text) < len(b.text) else (b, a, b_last)
    return short_last and len(short.text) >= 2 and long.text.startswith(short.text)


@dataclass(slots=True)
class Alignment:
    """Which words of two names were aligned, which conflict, which are left over, and the score."""

    score: float
    matches: list[tuple[tuple[int, ...], tuple[int, ...], float, str]]
    conflicts: list[tuple[int, int, float]]
    query_extra: list[int]
    candidate_extra: list[int]
    single_name: bool


Option = tuple[float, int, tuple[int, ...], tuple[int, ...], str]


def _rank(option: Option) -> tuple[float, int]:
    return option[0], option[1]


def _similarity(option: Option) -> float:
    return option[0]


def _greedy(
    options: list[Option],
) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...], float, str]], set[int], set[int]]:
    """Alignments in the order given (best first), each word used once."""
    used_q: set[int] = set()
    used_c: set[int] = set()
    matches: list[tuple[tuple[int, ...], tuple[int, ...], float, str]] = []
    for similarity, _, q_index, c_index, method in options:
        if used_q.intersection(q_index) or used_c.intersection(c_index):
            continue
        used_q.update(q_index)
        used_c.update(c_index)
        matches.append((q_index, c_index, similarity, method))
    return matches, used_q, used_c


def _compound_options(query: AnalysedName, candidate: AnalysedName, open_q: set[int], open_c: set[int]) -> list[Option]:
    """Alignments of several words with one (joined words, acronyms) involving a word not yet well matched."""
    options: list[Option] = []
    if query.kind != "person" and candidate.kind != "person":
        for k in open_c:
            token = candidate.tokens[k]
            if token.role is Role.NAME and 2 <= len(token.text) <= 6 and (run := query.acronyms.get(token.text)):
                options.append((ACRONYM_SCORE, 1 + len(run), run, (k,), "acronym"))
        for k in open_q:
            token = query.tokens[k]
            if token.role is Role.NAME and 2 <= len(token.text) <= 6 and (run := candidate.acronyms.get(token.text)):
                options.append((ACRONYM_SCORE, 1 + len(run), (k,), run, "acronym"))
    for singles, single_open, single_name, other, span_open, flip in (
        (candidate.tokens, open_c, candidate, query, open_q, False),
        (query.tokens, open_q, query, candidate, open_c, True),
    ):
        spans, lengths = other.spans, other.span_lengths
        # A joined run of words is longer than each of them: skip when no single word is that long.
        if not spans or single_name.longest + max(2, single_name.longest // 4) < lengths[0]:
            continue
        for k, token in enumerate(singles):
            if token.role is not Role.NAME:
                continue
            text = token.text
            size = len(text)
            tolerance = max(2, size // 4)
            start = bisect_left(lengths, size - tolerance)
            for position in range(start, len(spans)):
                if lengths[position] > size + tolerance:
                    break
                indices, joined = spans[position]
                if k not in single_open and span_open.isdisjoint(indices):
                    continue
                similarity = OSA.normalized_similarity(joined, text)
                if similarity >= MIN_TOKEN_SIMILARITY:
                    if flip:
                        options.append((similarity, 1 + len(indices), (k,), indices, "joined"))
                    else:
                        options.append((similarity, 1 + len(indices), indices, (k,), "joined"))
    return options


_ROLE_WEIGHT = tuple(ROLE_WEIGHTS[role] for role in Role)  # by role number, for the hot loop
_NAMELIKE = (Role.NAME, Role.INITIAL)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the alignment needs to know of a name besides its words, computed once per name."""

    weights: tuple[float, ...]  # by role
    extra: tuple[float, ...]  # the weight of a word left over (a country counts half)
    namelike: tuple[bool, ...]  # a name or an initial
    core: tuple[bool, ...]  # a name, an initial or a number: what can conflict
    names: int  # how many name words
    long: bool  # long enough to have been cut short


def _shape(name: AnalysedName) -> _Shape:
    cache = name.__dict__
    shape = cache.get("_shape")
    if shape is None:
        tokens = name.tokens
        weights = tuple(_ROLE_WEIGHT[t.role] for t in tokens)
        shape = cache["_shape"] = _Shape(
            weights=weights,
            extra=tuple(w * (PLACE_EXTRA_FACTOR if t.place else 1.0) for w, t in zip(weights, tokens, strict=True)),
            namelike=tuple(t.role in _NAMELIKE for t in tokens),
            core=tuple(t.role in _CORE for t in tokens),
            names=sum(1 for t in tokens if t.role is Role.NAME),
            long=len(name.normalised) >= TRUNCATION_LENGTH,
        )
    return shape


_SINGLE = tuple((k,) for k in range(64))


def _align(query: AnalysedName, candidate: AnalysedName, floor: float = 0.0) -> Alignment:
    """Align the words of two names and score the alignment.

    With a `floor`, joined-word and acronym alignments are not tried when even they could not lift
    the score to the floor (the index passes the alert threshold; scores below it are then approximate).
    """
    q_tokens, c_tokens = query.tokens, candidate.tokens
    n_q, n_c = len(q_tokens), len(c_tokens)
    q_shape, c_shape = _shape(query), _shape(candidate)
    w_q, w_c = q_shape.weights, c_shape.weights
    q_long, c_long = q_shape.long, c_shape.long
    singles = _SINGLE if n_q <= 64 and n_c <= 64 else tuple((k,) for k in range(max(n_q, n_c)))
    options: list[Option] = []
    sims: list[list[float]] = []
    last_q, last_c = n_q - 1, n_c - 1
    for i, a in enumerate(q_tokens):
        a_plain, a_text, a_fold = a.plain, a.text, a.fold
        row = [0.0] * n_c
        sims.append(row)
        for j, b in enumerate(c_tokens):
            if a_plain and b.plain:
                if a_text == b.text:
                    similarity, method = 1.0, "exact"
                else:
                    similarity, method = _text_similarity(a_text, b.text, a_fold, b.fold)
            else:
                similarity, method = token_similarity(a, b)
            if (
                similarity < TRUNCATED_SCORE
                and ((q_long and i == last_q) or (c_long and j == last_c))
                and _truncated(a, b, i == last_q and q_long, j == last_c and c_long)
            ):
                similarity, method = TRUNCATED_SCORE, "truncated"
            row[j] = similarity
            if similarity >= MIN_TOKEN_SIMILARITY:
                options.append((similarity, 2, singles[i], singles[j], method))

    # Single words first, best first (a stable sort keeps the reading order among equals).
    options.sort(key=_similarity, reverse=True)
    used_q = [False] * n_q
    used_c = [False] * n_c
    matches: list[tuple[tuple[int, ...], tuple[int, ...], float, str]] = []
    imperfect = False
    for similarity, _, q_index, c_index, method in options:
        i, j = q_index[0], c_index[0]
        if used_q[i] or used_c[j]:
            continue
        used_q[i] = used_c[j] = True
        matches.append((q_index, c_index, similarity, method))
        imperfect = imperfect or similarity < 1.0
    if n_q + n_c > 2 and (imperfect or (len(matches) < n_q and len(matches) < n_c)):
        reachable = True
        if floor:
            total = gained = rest = 0.0
            for q_index, c_index, similarity, _ in matches:
                weight = max(w_q[q_index[0]], w_c[c_index[0]])
                total += weight
                gained += similarity * weight
            for i in range(n_q):
                if not used_q[i]:
                    rest += w_q[i]
            for j in range(n_c):
                if not used_c[j]:
                    rest += w_c[j]
            reachable = total + rest > 0 and (gained + rest) / (total + rest) >= floor
        if reachable:
            open_q = {i for i in range(n_q) if not used_q[i]} | {m[0][0] for m in matches if m[2] < 1.0}
            open_c = {j for j in range(n_c) if not used_c[j]} | {m[1][0] for m in matches if m[2] < 1.0}
            compounds = _compound_options(query, candidate, open_q, open_c)
            if compounds:
                matches, taken_q, taken_c = _greedy(sorted(options + compounds, key=_rank, reverse=True))
                used_q = [i in taken_q for i in range(n_q)]
                used_c = [j in taken_c for j in range(n_c)]

    numerator = denominator = 0.0
    matched_q = matched_c = 0
    q_namelike, c_namelike = q_shape.namelike, c_shape.namelike
    for q_index, c_index, similarity, _ in matches:
        if len(q_index) == 1 and len(c_index) == 1:
            i, j = q_index[0], c_index[0]
            weight = w_q[i] if w_q[i] > w_c[j] else w_c[j]
            matched_q += q_namelike[i]
            matched_c += c_namelike[j]
        else:
            weight = min(1.0, max(sum(w_q[i] for i in q_index), sum(w_c[j] for j in c_index)))
            matched_q += sum(1 for i in q_index if q_namelike[i])
            matched_c += sum(1 for j in c_index if c_namelike[j])
        numerator += similarity * weight
        denominator += weight

    # Left-over parts: a conflict when both sides still have a name part, an extra otherwise.
    q_left = [i for i in range(n_q) if not used_q[i]]
    c_left = [j for j in range(n_c) if not used_c[j]]
    conflicts: list[tuple[int, int, float]] = []
    if q_left and c_left:
        q_core = [i for i in q_left if q_shape.core[i]]
        c_core = [j for j in c_left if c_shape.core[j]]
        if q_core and c_core:
            ranked = sorted(((sims[i][j], i, j) for i in q_core for j in c_core), reverse=True)
            taken: set[tuple[str, int]] = set()
            for similarity, i, j in ranked:
                if ("q", i) in taken or ("c", j) in taken:
                    continue
                taken.add(("q", i))
                taken.add(("c", j))
                conflicts.append((i, j, similarity))
                numbers = q_tokens[i].role is Role.NUMBER and c_tokens[j].role is Role.NUMBER
                factor = NUMBER_CONFLICT_WEIGHT if numbers else CONFLICT_WEIGHT
                denominator += max(w_q[i], w_c[j]) * factor
            q_left = [i for i in q_left if ("q", i) not in taken]
            c_left = [j for j in c_left if ("c", j) not in taken]
    q_extra, c_extra = q_shape.extra, c_shape.extra
    for i in q_left:
        denominator += q_extra[i] * EXTRA_QUERY_WEIGHT
    for j in c_left:
        denominator += c_extra[j] * EXTRA_CANDIDATE_WEIGHT
    score = numerator / denominator if denominator else 0.0

    single_name = False
    if (
        (matched_q if matched_q > matched_c else matched_c) == 1
        and (query.kind == "person" or candidate.kind == "person")
        and max(q_shape.names, c_shape.names) >= 2
    ):
        single_name = True
        score *= SINGLE_NAME_FACTOR
    return Alignment(score, matches, conflicts, q_left, c_left, single_name)


def _describe(query: AnalysedName, candidate: AnalysedName, alignment: Alignment) -> NameComparison:
    q_tokens, c_tokens = query.tokens, candidate.tokens

    def words(tokens: tuple[Token, ...], indices: Iterable[int]) -> str:
        return " ".join(tokens[i].text for i in indices)

    matches = tuple(
        TokenMatch(words(q_tokens, qi), words(c_tokens, ci), similarity, method)
        for qi, ci, similarity, method in alignment.matches
    )
    conflicts = tuple(
        TokenMatch(q_tokens[i].text, c_tokens[j].text, similarity, "conflict")
        for i, j, similarity in alignment.conflicts
    )
    minor = (Role.LEGAL, Role.PARTICLE, Role.TITLE)
    down_weighted = tuple(dict.fromkeys(t.text for t in (*q_tokens, *c_tokens) if t.role in minor))
    notes = ("only one name part matches a person with several",) if alignment.single_name else ()
    return NameComparison(
        score=alignment.score,
        query_name=query.original,
        candidate_name=candidate.original,
        matches=matches,
        conflicts=conflicts,
        query_extra=tuple(q_tokens[i].text for i in alignment.query_extra),
        candidate_extra=tuple(c_tokens[j].text for j in alignment.candidate_extra),
        down_weighted=down_weighted,
        notes=notes,
    )


def name_score(query: AnalysedName, candidate: AnalysedName, floor: float = 0.0) -> float:
    """The name similarity of two analysed names, without the explanation (the fast path).

    Scores below `floor` may be underestimated (see `_align`).
    """
    if query.key == candidate.key:
        return 1.0
    return _align(query, candidate, floor).score


def align(query: AnalysedName, candidate: AnalysedName, floor: float = 0.0) -> Alignment | None:
    """The alignment of two names, or None when they are the same words in any order (score 1)."""
    if query.key == candidate.key:
        return None
    return _align(query, candidate, floor)


def compare_names(query: AnalysedName, candidate: AnalysedName, alignment: Alignment | None = None) -> NameComparison:
    """The name similarity of two analysed names with the alignment that produced it."""
    if alignment is None:
        alignment = _align(query, candidate)
        if query.key == candidate.key:
            alignment.score = 1.0
    return _describe(query, candidate, alignment)


# --- Entity score -------------------------------------------------------------------------------


def _dob_relation(query: BirthDate, listed: Sequence[BirthDate]) -> tuple[str, float]:
    """('exact'|'year'|'conflict'|'day conflict', score delta) of a query date against the listed ones."""
    best: tuple[int, str, float] = (-1, "conflict", -DOB_YEAR_CONFLICT)
    for dob in listed:
        slack = 1 if dob.approximate else 0
        if query.year_to < dob.year_from - slack or query.year_from > dob.year_to + slack:
            outcome = (0, f"conflict ({query} against {dob})", -DOB_YEAR_CONFLICT)
        elif query.day is not None and dob.day is not None:
            if (query.month, query.day, query.year_from) == (dob.month, dob.day, dob.year_from):
                outcome = (3, f"exact ({dob})", DOB_EXACT_BONUS)
            else:
                outcome = (1, f"same year, different day ({query} against {dob})", -DOB_DAY_CONFLICT)
        elif query.month is not None and dob.month is not None and query.month != dob.month:
            outcome = (1, f"same year, different month ({query} against {dob})", -DOB_DAY_CONFLICT)
        else:
            outcome = (2, f"year agrees ({query} within {dob})", DOB_YEAR_BONUS)
        if outcome[0] > best[0]:
            best = outcome
    return best[1], best[2]


def document_key(number: str) -> str:
    return "".join(char for char in number.upper() if char.isalnum())


def _candidate_names(candidate: ListEntry | str | AnalysedName, schema: str | None) -> list[tuple[AnalysedName, bool]]:
    if isinstance(candidate, AnalysedName):
        return [(candidate, False)]
    if isinstance(candidate, str):
        return [(analyse(variant, schema), False) for variant in name_variants(candidate)]
    return [
        (analyse(variant, candidate.schema.value), name.quality is NameQuality.WEAK)
        for name in candidate.names
        for variant in name_variants(name.value)
    ]


def best_name(query: AnalysedName, names: Iterable[tuple[AnalysedName, bool]]) -> tuple[float, AnalysedName, bool]:
    """The best-scoring list name for a query name: (score, name, is_weak_alias)."""
    best: tuple[float, AnalysedName | None, bool] = (-1.0, None, False)
    for name, weak in names:
        value = name_score(query, name) * (WEAK_ALIAS_FACTOR if weak else 1.0)
        if value > best[0]:
            best = (value, name, weak)
            if value >= 1.0:
                break
    if best[1] is None:
        raise ValueError("a list entry without names cannot be scored")
    return best[0], best[1], best[2]


def score(
    query: Query | str,
    candidate: ListEntry | str,
    *,
    schema: str | None = None,
) -> ScoreResult:
    """How likely the query party is the candidate (0..1), with an explanation.

    `query` is a name or a `Query` with date of birth, country and documents; `candidate` is a
    list entry or a bare name. `schema` gives the kind of both when they do not say it.
    """
    if isinstance(query, str):
        query = Query(query, schema=schema)
    query_schema = query.schema or schema or (candidate.schema.value if isinstance(candidate, ListEntry) else None)
    analysed = analyse(query.name, query_schema)
    candidate_schema = candidate.schema.value if isinstance(candidate, ListEntry) else (schema or query_schema)
    value, matched, weak = best_name(analysed, _candidate_names(candidate, candidate_schema))
    comparison = compare_names(analysed, matched)
    if weak:
        comparison = with_note(comparison, "matched a low-quality alias")
    if isinstance(candidate, ListEntry):
        return _entity_score(query, candidate, value, comparison)
    return ScoreResult(value, Explanation(_summary(value, comparison, []), comparison))


def with_note(comparison: NameComparison, note: str) -> NameComparison:
    return NameComparison(
        comparison.score * WEAK_ALIAS_FACTOR,
        comparison.query_name,
        comparison.candidate_name,
        comparison.matches,
        comparison.conflicts,
        comparison.query_extra,
        comparison.candidate_extra,
        comparison.down_weighted,
        (*comparison.notes, note),
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    """The entity score: the name score moved by date of birth, country, documents and kind."""

    score: float
    adjustments: tuple[tuple[str, float], ...] = ()
    dob: str | None = None
    country: str | None = None
    document: str | None = None


def weigh_evidence(
    query: Query, entry: ListEntry, value: float, dob: BirthDate | None, country: str | None
) -> Evidence:
    """The name score `value` adjusted by the rest of what the party and the entry say (parsed dob, ISO country)."""
    adjustments: list[tuple[str, float]] = []
    dob_text = country_text = document_text = None
    if query.schema and entry.schema.value != _schema_value(query.schema):
        adjustments.append((f"the party is a {query.schema}, the entry a {entry.schema.value}", 0.0))
        value *= SCHEMA_MISMATCH_FACTOR
    if dob and entry.dobs:
        relation, delta = _dob_relation(dob, entry.dobs)
        dob_text = relation
        adjustments.append((f"date of birth: {relation}", delta))
        value += delta
    if country and (entry.nationalities or entry.countries):
        if country in entry.nationalities or country in entry.countries:
            country_text = f"{country} is among the entry's countries"
            adjustments.append((country_text, COUNTRY_BONUS))
            value += COUNTRY_BONUS
        elif entry.nationalities:
            country_text = f"{country} is not the entry's nationality ({', '.join(entry.nationalities)})"
            adjustments.append((country_text, -COUNTRY_CONFLICT))
            value -= COUNTRY_CONFLICT
    if query.documents and entry.documents:
        listed = {document_key(doc.number): doc for doc in entry.documents}
        for number in query.documents:
            doc = listed.get(document_key(number))
            if doc is not None:
                document_text = f"{doc.type} {doc.number} matches"
                if value < DOCUMENT_FLOOR:
                    adjustments.append((document_text, DOCUMENT_FLOOR - value))
                    value = DOCUMENT_FLOOR
                break
    value = min(1.0, max(0.0, value))
    return Evidence(value, tuple(adjustments), dob_text, country_text, document_text)


def explain(comparison: NameComparison, evidence: Evidence) -> Explanation:
    summary = _summary(evidence.score, comparison, [reason for reason, _ in evidence.adjustments])
    return Explanation(summary, comparison, evidence.dob, evidence.country, evidence.document, evidence.adjustments)


def _entity_score(query: Query, entry: ListEntry, value: float, comparison: NameComparison) -> ScoreResult:
    evidence = weigh_evidence(query, entry, value, query.birth_date(), query.country_code())
    return ScoreResult(evidence.score, explain(comparison, evidence))


def _schema_value(schema: str) -> str:
    lowered = schema.casefold()
    if lowered in ("individual", "people"):
        return Schema.PERSON.value
    if lowered in ("organisation", "company", "entity", "legalentity"):
        return Schema.ORGANIZATION.value
    return lowered


def _summary(value: float, comparison: NameComparison, reasons: Sequence[str]) -> str:
    parts = []
    for match in comparison.matches:
        if match.method == "exact":
            parts.append(match.candidate)
        else:
            parts.append(f"{match.query}~{match.candidate} ({match.method} {match.similarity:.2f})")
    text = f"{value:.2f}: '{comparison.query_name}' against '{comparison.candidate_name}'"
    if parts:
        text += "; matched " + ", ".join(parts)
    if comparison.conflicts:
        text += "; differs " + ", ".join(f"{c.query}/{c.candidate}" for c in comparison.conflicts)
    extras = [*comparison.query_extra, *comparison.candidate_extra]
    if extras:
        text += "; unmatched " + ", ".join(extras)
    if comparison.down_weighted:
        text += "; down-weighted " + ", ".join(comparison.down_weighted)
    for note in (*comparison.notes, *reasons):
        text += f"; {note}"
    return text


# --- Evaluation -----------------------------------------------------------------------------------


def pair_score(name1: str, name2: str, schema: str | None = None) -> float:
    """The name score of two names of the given schema (as the labelled benchmark pairs come)."""
    kind = _schema_value(schema) if schema else None
    return max(
        name_score(analyse(variant1, kind), analyse(variant2, kind))
        for variant1 in name_variants(name1)
        for variant2 in name_variants(name2)
    )


def evaluate_pairs(rows: Iterable[Mapping[str, str]], threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Precision, recall, F1 and confusion counts over labelled name pairs.

    Each row has name1, name2, is_match ('true'/'false', '1'/'0', 'yes'/'no') and optionally schema.
    """
    tp = fp = tn = fn = 0
    for number, row in enumerate(rows, start=1):
        try:
            name1, name2, label = row["name1"], row["name2"], str(row["is_match"]).strip().casefold()
        except KeyError as exc:
            raise ValueError(f"row {number}: missing column {exc.args[0]}") from None
        if label not in _TRUE | _FALSE:
            raise ValueError(f"row {number}: is_match {row['is_match']!r} is not true or false")
        try:
            predicted = pair_score(name1, name2, row.get("schema") or None) >= threshold
        except InvalidName as exc:
            raise ValueError(f"row {number}: {exc}") from None
        actual = label in _TRUE
        if predicted and actual:
            tp += 1
        elif predicted:
            fp += 1
        elif actual:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})
