"""In-memory screening index: list names by normalised, phonetic and original-script keys, searched by name."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from attkit.screening.loaders.model import ListEntry, ListSnapshot, NameQuality, Schema, paused_gc
from attkit.screening.matcher import (
    COUNTRY_BONUS,
    DEFAULT_THRESHOLD,
    DOB_EXACT_BONUS,
    ROLE_WEIGHTS,
    WEAK_ALIAS_FACTOR,
    Alignment,
    Evidence,
    Explanation,
    Query,
    align,
    compare_names,
    document_key,
    explain,
    weigh_evidence,
    with_note,
)
from attkit.screening.normalize import AnalysedName, InvalidName, Role, Script, Token, analyse, name_variants

#: How many list names, ranked by shared keys, get a full score for one query (more for a higher limit).
CANDIDATES = 10
#: The share of the query's name parts a list name must share keys with to be scored at all.
MIN_COVERAGE = 0.5
#: Among names sharing the same keys, prefer those with as many parts as the query.
LENGTH_PENALTY = 0.3
#: A key shared by more list names than this ("muhammad") ranks names but does not find them.
COMMON_KEY = 500

# What a shared key says about a query token and a list token, before the full comparison.
_KEY_WEIGHTS = {"t": 1.0, "n": 1.0, "f": 0.9, "s": 0.6, "d": 0.6}
_INDEXED_ROLES = (Role.NAME, Role.NUMBER)
_DIRECT_KEYS = frozenset("tfn")


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


@lru_cache(maxsize=50_000)
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
        self._bucket_sets: dict[str, frozenset[int]] = {}  # common keys' postings as sets, made on first use
        self._key_weights: dict[str, float] = {}  # made on first use

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
        with paused_gc():
            self._add(list_kind, entries)

    def _add(self, list_kind: str, entries: Iterable[ListEntry]) -> None:
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
                self._documents.setdefault(document_key(document.number), []).append(position)

    def _add_name(self, name: _Name) -> None:
        self._bucket_sets.clear()
        self._key_weights.clear()
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

        Names are found through the query's selective keys (postings of at most COMMON_KEY names);
        keys as common as "muhammad" only add to the rank of names found so. A query of common words
        only ("Mohammed Ali") finds the names that have all of them. A name sharing keys with less
        than MIN_COVERAGE of the query's name parts cannot reach an alert and is not scored.
        """
        total = len(self._names) or 1
        postings, key_weights = self._postings, self._key_weights
        tokens = [token for token in query.tokens if token.role in _INDEXED_ROLES]
        if not tokens:
            return []
        # Per query token: its selective keys as {name: weight} and its common keys as (weight, set).
        selective: list[dict[int, float]] = []
        common: list[list[tuple[float, frozenset[int]]]] = []
        found: set[int] = set()
        for token in tokens:
            weighted = sorted(
                (key_weights.get(key) or self._key_weight(key, bucket, total), key, bucket)
                for key in token_keys(token)
                if (bucket := postings.get(key))
            )
            best: dict[int, float] = {}
            frequent: list[tuple[float, frozenset[int]]] = []
            direct: list[list[int]] = []
            for weight, key, bucket in weighted:  # ascending, so a better key overwrites a weaker one
                if len(bucket) <= COMMON_KEY:
                    best.update(dict.fromkeys(bucket, weight))
                    if key[0] in _DIRECT_KEYS:
                        direct.append(bucket)
                else:
                    frequent.append((weight, self._bucket_set(key)))
            selective.append(best)
            common.append(frequent[::-1])
            # Names are found by the word itself; by its typo and consonant neighbours too when the
            # word itself is rare in the lists.
            if sum(len(bucket) for bucket in direct) >= limit or (frequent and not direct):
                for bucket in direct:
                    found.update(bucket)
            else:
                found.update(best)
        if not found:
            every = [
                set(best).union(*(members for _, members in frequent))
                for best, frequent in zip(selective, common, strict=True)
            ]
            found = set.intersection(*every) if every else set()
        weights = [ROLE_WEIGHTS[token.role] for token in tokens]
        needed = MIN_COVERAGE * sum(weights)
        size, sizes = len(tokens), self._sizes
        names, entries = self._names, self._entries
        ranked: list[tuple[float, int]] = []
        scoring = list(zip(selective, common, weights, strict=True))
        for name_id in found:
            if schema is not None and entries[names[name_id].entry][1].schema.value != schema:
                continue
            value = covered = 0.0
            for best, frequent, role_weight in scoring:
                weight = best.get(name_id, 0.0)
                if not weight:
                    for frequent_weight, members in frequent:
                        if name_id in members:
                            weight = frequent_weight
                            break
                    else:
                        continue
                value += weight
                covered += role_weight
            if covered >= needed:
                ranked.append((value - LENGTH_PENALTY * abs(sizes[name_id] - size), name_id))
        return [name_id for _, name_id in heapq.nlargest(limit, ranked)]

    def _key_weight(self, key: str, bucket: list[int], total: int) -> float:
        """How much sharing this key says: rarer keys say more (inverse document frequency)."""
        weight = self._key_weights[key] = _KEY_WEIGHTS[key[0]] * math.log(1 + total / len(bucket))
        return weight

    def _bucket_set(self, key: str) -> frozenset[int]:
        members = self._bucket_sets.get(key)
        if members is None:
            members = self._bucket_sets[key] = frozenset(self._postings[key])
        return members

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
        if limit < 1:
            raise ValueError(f"limit {limit} must be at least 1")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold {threshold} must be between 0 and 1")
        query = Query(query_name, schema=schema_value, dob=dob, country=country, documents=tuple(documents))
        query.birth_date()  # a malformed date is refused before any work
        # Date of birth, country and documents can only add so much: skip what cannot reach the threshold.
        floor = threshold - DOB_EXACT_BONUS - COUNTRY_BONUS
        best: dict[int, _Best] = {}
        for variant in name_variants(query_name):
            probe = analyse(variant, schema_value)
            aligned: dict[tuple[str, tuple[Token, ...]], Alignment | None] = {}  # one name on several lists
            for name_id in self._candidates(probe, schema_value, max(CANDIDATES, limit)):
                name = self._names[name_id]
                # Without a schema, read the query as the candidate's kind (titles, legal forms, numerals).
                kind = schema_value or name.analysed.kind
                analysed = probe if probe.kind == kind else analyse(variant, kind)
                same = (kind, name.analysed.tokens)
                if same in aligned:
                    alignment = aligned[same]
                else:
                    alignment = aligned[same] = align(analysed, name.analysed, floor)
                value = 1.0 if alignment is None else alignment.score
                if name.weak:
                    value *= WEAK_ALIAS_FACTOR
                current = best.get(name.entry)
                if current is None or value > current.value:
                    best[name.entry] = _Best(value, name, analysed, alignment)
        for document in documents:
            for position in self._documents.get(document_key(document), []):
                if position not in best:
                    name = self._names[self._entry_names[position][0]]
                    analysed = analyse(query_name, schema_value or name.analysed.kind)
                    best[position] = _Best(0.0, name, analysed, None)
        dob_value, country_value = query.birth_date(), query.country_code()
        scored: list[tuple[float, str, str, _Best, Evidence]] = []
        for position, found in best.items():
            if found.value < floor and not documents:
                continue
            list_kind, entry = self._entries[position]
            evidence = weigh_evidence(query, entry, found.value, dob_value, country_value)
            if evidence.score >= threshold:
                scored.append((evidence.score, list_kind, entry.ref, found, evidence))
        scored.sort(key=lambda item: (-item[0], item[1], item[2]))
        matches: list[Match] = []
        for value, list_kind, ref, found, evidence in scored[:limit]:
            entry = self._entries[found.name.entry][1]
            comparison = compare_names(found.query, found.name.analysed, found.alignment)
            if found.name.weak:
                comparison = with_note(comparison, "matched a low-quality alias")
            explanation = explain(comparison, evidence)
            matches.append(Match(ref, list_kind, found.name.value, value, explanation, entry.schema.value, entry))
        return matches


@dataclass(slots=True)
class _Best:
    """The best-scoring name of one entry for a query, with what is needed to explain it."""

    value: float
    name: _Name
    query: AnalysedName
    alignment: Alignment | None


class UnknownSchema(ValueError):
    """A subject kind the lists do not use."""


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
        raise UnknownSchema(f"unknown schema {schema!r}; expected person, organization, vessel or aircraft")
    return value
