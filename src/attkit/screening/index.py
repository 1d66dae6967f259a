"""In-memory screening index: list names by normalised, phonetic and original-script keys, searched by name."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from attkit.screening.loaders.model import ListEntry, ListSnapshot, NameQuality, Schema
from attkit.screening.matcher import (
    COUNTRY_BONUS,
    DEFAULT_THRESHOLD,
    DOB_EXACT_BONUS,
    ROLE_WEIGHTS,
    WEAK_ALIAS_FACTOR,
    Explanation,
    Query,
    _document_key,
    _entity_score,
    _with_note,
    compare_names,
    name_score,
)
from attkit.screening.normalize import AnalysedName, InvalidName, Role, Script, Token, analyse, name_variants

#: How many list names, ranked by shared keys, get a full score for one query.
CANDIDATES = 20
#: The share of the query's name parts a list name must share keys with to be scored at all.
MIN_COVERAGE = 0.5
#: Among names sharing the same keys, prefer those with as many parts as the query.
LENGTH_PENALTY = 0.3

# What a shared key says about a query token and a list token, before the full comparison.
_KEY_WEIGHTS = {"t": 1.0, "n": 1.0, "f": 0.9, "s": 0.6, "d": 0.6}
_INDEXED_ROLES = (Role.NAME, Role.NUMBER)


@dataclass(frozen=True, slots=True)
class Match:
    entry_ref: str
    list_kind: str
    name: str  # the list name (or alias) that matched
    score: float
    explanation: Explanation
    schema: str = ""
    entry: ListEntry | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "list": self.list_kind,
            "ref": self.entry_ref,
            "name": self.name,
            "schema": self.schema,
            "score": round(self.score, 4),
            "explanation": self.explanation.summary,
        }


@dataclass(slots=True)
class _Name:
    entry: int  # position in Index._entries
    value: str
    analysed: AnalysedName
    weak: bool


@lru_cache(maxsize=200_000)
def token_keys(token: Token) -> tuple[str, ...]:
    """The index keys of a token: its text, transliteration-folded form, consonant skeleton,
    one-deletion variants of the folded form (typos) and original script."""
    text, native, script, role, fold, skeleton = (
        token.text,
        token.native,
        token.script,
        token.role,
        token.fold,
        token.skeleton,
    )
    keys = {f"t:{text}", f"f:{fold}"}
    if script is not Script.LATIN:
        keys.add(f"n:{native}")
    if role is Role.NAME:
        if len(skeleton) >= 3 or script is Script.ABJAD:
            keys.add(f"s:{skeleton}")
        if len(fold) >= 4 and script is not Script.CJK:
            # One-deletion neighbours with the word itself: two words one edit apart share a key.
            keys.add(f"d:{fold}")
            keys.update(f"d:{fold[:i]}{fold[i + 1 :]}" for i in range(len(fold)))
    return tuple(sorted(keys))


class Index:
    """Entries of one or more lists, searchable by name with optional date of birth, country and documents."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, ListEntry]] = []
        self._names: list[_Name] = []
        self._postings: dict[str, list[int]] = {}
        self._documents: dict[str, list[int]] = {}
        self._refs: dict[tuple[str, str], int] = {}
        self._entry_names: list[list[int]] = []
        self._sizes: list[int] = []  # name parts of each list name, to prefer names as long as the query

    @classmethod
    def from_snapshots(cls, snapshots: Iterable[ListSnapshot]) -> Index:
        index = cls()
        for snapshot in snapshots:
            index.add(snapshot.kind.value, snapshot.entries)
        return index

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def name_count(self) -> int:
        return len(self._names)

    def add(self, list_kind: str, entries: Iterable[ListEntry]) -> None:
        """Index entries of a list; an entry already indexed under the same list and ref is refused."""
        for entry in entries:
            key = (list_kind, entry.ref)
            if key in self._refs:
                raise ValueError(f"{list_kind} {entry.ref} is already in the index")
            position = len(self._entries)
            self._refs[key] = position
            self._entries.append((list_kind, entry))
            self._entry_names.append([])
            seen: set[str] = set()
            for name in entry.names:
                for variant in name_variants(name.value):
                    try:
                        analysed = analyse(variant, entry.schema.value)
                    except InvalidName:
                        continue
                    if analysed.key in seen:
                        continue
                    seen.add(analysed.key)
                    self._add_name(_Name(position, name.value, analysed, name.quality is NameQuality.WEAK))
            for document in entry.documents:
                self._documents.setdefault(_document_key(document.number), []).append(position)

    def _add_name(self, name: _Name) -> None:
        name_id = len(self._names)
        self._names.append(name)
        self._entry_names[name.entry].append(name_id)
        self._sizes.append(sum(1 for token in name.analysed.tokens if token.role in _INDEXED_ROLES))
        keys: set[str] = set()
        for token in name.analysed.tokens:
            if token.role in _INDEXED_ROLES:
                keys.update(token_keys(token))
        postings = self._postings
        for key in keys:
            bucket = postings.get(key)
            if bucket is None:
                postings[key] = [name_id]
            else:
                bucket.append(name_id)

    def _candidates(self, query: AnalysedName, schema: str | None, limit: int) -> list[int]:
        """List names sharing the most informative keys with the query, best first.

        A name sharing keys with less than MIN_COVERAGE of the query's name parts cannot reach an
        alert and is not scored.
        """
        total = len(self._names) or 1
        scores: dict[int, float] = {}
        covered: dict[int, float] = {}
        tokens = [token for token in query.tokens if token.role in _INDEXED_ROLES]
        query_weight = sum(ROLE_WEIGHTS[token.role] for token in tokens)
        postings = self._postings
        for token in tokens:
            best: dict[int, float] = {}
            for key in token_keys(token):
                bucket = postings.get(key)
                if not bucket:
                    continue
                weight = _KEY_WEIGHTS[key[0]] * math.log(1 + total / len(bucket))
                for name_id in bucket:
                    if best.get(name_id, 0.0) < weight:
                        best[name_id] = weight
            role_weight = ROLE_WEIGHTS[token.role]
            for name_id, weight in best.items():
                scores[name_id] = scores.get(name_id, 0.0) + weight
                covered[name_id] = covered.get(name_id, 0.0) + role_weight
        needed = MIN_COVERAGE * query_weight
        size, sizes = len(tokens), self._sizes
        eligible = (
            (name_id, value - LENGTH_PENALTY * abs(sizes[name_id] - size))
            for name_id, value in scores.items()
            if covered[name_id] >= needed
        )
        if schema is not None:
            names, entries = self._names, self._entries
            eligible = ((n, v) for n, v in eligible if entries[names[n].entry][1].schema.value == schema)
        return [name_id for name_id, _ in heapq.nlargest(limit, eligible, key=lambda item: item[1])]

    def search(
        self,
        query_name: str,
        *,
        dob: str | None = None,
        country: str | None = None,
        schema: str | None = None,
        limit: int = 10,
        threshold: float = DEFAULT_THRESHOLD,
        documents: Sequence[str] = (),
    ) -> list[Match]:
        """The list entries that match a party at or above the threshold, best first.

        Raises InvalidName for an empty or oversized name and ValueError for a malformed date of birth.
        """
        schema_value = _schema(schema)
        query = Query(query_name, schema=schema_value, dob=dob, country=country, documents=tuple(documents))
        query.birth_date()  # a malformed date is refused before any work
        # Date of birth, country and documents can only add so much: skip what cannot reach the threshold.
        floor = threshold - DOB_EXACT_BONUS - COUNTRY_BONUS
        best: dict[int, tuple[float, _Name, str]] = {}
        for variant in name_variants(query_name):
            probe = analyse(variant, schema_value)
            for name_id in self._candidates(probe, schema_value, CANDIDATES):
                name = self._names[name_id]
                # Without a schema, read the query as the candidate's kind (titles, legal forms, numerals).
                kind = schema_value or name.analysed.kind
                analysed = probe if probe.kind == kind else analyse(variant, kind)
                value = name_score(analysed, name.analysed, floor) * (WEAK_ALIAS_FACTOR if name.weak else 1.0)
                current = best.get(name.entry)
                if current is None or value > current[0]:
                    best[name.entry] = (value, name, variant)
        for document in documents:
            for position in self._documents.get(_document_key(document), []):
                if position not in best:
                    best[position] = (0.0, self._names[self._entry_names[position][0]], query_name)
        matches: list[Match] = []
        for position, (value, name, variant) in best.items():
            if value < floor and not documents:
                continue
            list_kind, entry = self._entries[position]
            comparison = compare_names(analyse(variant, schema_value or name.analysed.kind), name.analysed)
            if name.weak:
                comparison = _with_note(comparison, "matched a low-quality alias")
            result = _entity_score(query, entry, value, comparison)
            if result.score >= threshold:
                matches.append(
                    Match(entry.ref, list_kind, name.value, result.score, result.explanation, entry.schema.value, entry)
                )
        matches.sort(key=lambda match: (-match.score, match.list_kind, match.entry_ref))
        return matches[:limit]


def _schema(schema: str | None) -> str | None:
    if not schema:
        return None
    value = schema.casefold()
    aliases = {
        "individual": "person",
        "organisation": "organization",
        "company": "organization",
        "entity": "organization",
    }
    value = aliases.get(value, value)
    if value not in {s.value for s in Schema}:
        raise ValueError(f"unknown schema {schema!r}; expected person, organization, vessel or aircraft")
    return value
