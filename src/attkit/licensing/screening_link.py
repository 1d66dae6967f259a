"""The seam between a case and sanctions screening: `screen_party(party) -> list[Hit]`.

When the screening app holds current lists for the authority, its service screens the party
(`screening.services.screen_subject`, which applies decisions remembered for the same party) and
each hit carries the screening app's id, so that a review on the case is also recorded there
(`decide_hit`). Without loaded lists a small local screener stands in: the UN Consolidated List
shipped in screening/data, loaded once per process with the screening app's pure loader, names
compared after removing accents, punctuation and legal forms (rapidfuzz token-sort ratio). The case
keeps a mirror of its hits (licensing.models.ScreeningHit) so that the workflow reads one table
whichever screener ran.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from attkit.licensing.flags import normalise_name

logger = logging.getLogger(__name__)

LOCAL_THRESHOLD = 88.0  # token-sort ratio (0-100) at which the local screener reports a possible match
MAX_HITS_PER_PARTY = 10
_LEGAL_FORMS = re.compile(
    r"\b(s ?a ?de ?c ?v|s ?a|s ?a ?s|s ?r ?l|sarl|sas|gmbh|ag|kg|ltd|limited|llc|inc|corp|co|plc|bv|nv|srl|ltda)\b"
)


@dataclass(frozen=True)
class PartyQuery:
    """What is screened: a party's name and country; where it lives (for the screening service's record)."""

    name: str
    country: str = ""
    is_person: bool = False
    authority: Any = None
    subject_id: str = ""
    label: str = ""
    by: Any = None


@dataclass(frozen=True)
class Hit:
    """A possible match on a list."""

    list_name: str
    entry_ref: str
    listed_name: str
    matched_name: str
    score: float  # 0 to 1
    programs: tuple[str, ...] = field(default_factory=tuple)
    external_id: str = ""  # the screening app's hit, when its service screened the party
    status: str = "pending"  # a decision the screening app remembered for this party and entry
    reason: str = ""


class Screener(Protocol):
    def __call__(self, party: PartyQuery) -> list[Hit]: ...


_override: Screener | None = None


@contextmanager
def use_screener(screener: Screener) -> Iterator[None]:
    """Screen with another screener for a while (tests, or a state's own list service)."""
    global _override  # noqa: PLW0603  (a process-wide seam, like the seal handler registry)
    previous, _override = _override, screener
    try:
        yield
    finally:
        _override = previous


def screen_party(party: PartyQuery) -> list[Hit]:
    """Possible matches of a party on the sanctions lists, best first."""
    if _override is not None:
        return _override(party)
    if _service_ready(party.authority):
        return _screen_with_service(party)
    return _local().screen(party)


def source_name(authority: Any = None) -> str:
    """Which screener is in use, for the case record."""
    if _override is not None:
        return "override"
    return "screening service" if _service_ready(authority) else "local UN list"


def _service_ready(authority: Any) -> bool:
    if authority is None:
        return False
    try:
        from attkit.screening import services
    except ImportError:
        return False
    if not hasattr(services, "screen_subject") or not hasattr(services, "current_versions"):
        return False
    return bool(services.current_versions(authority))


def _screen_with_service(party: PartyQuery) -> list[Hit]:
    from attkit.screening import services

    subject = services.Subject(
        authority=party.authority,
        subject_type="licensing.party",
        subject_id=party.subject_id,
        label=party.label or party.name,
        name=party.name,
        country=party.country,
        schema="person" if party.is_person else "",
    )
    run = services.screen_subject(subject, by=party.by)
    return [
        Hit(
            list_name=str(hit.list_kind).upper(),
            entry_ref=hit.entry_ref,
            listed_name=hit.entry_name,
            matched_name=hit.matched_name,
            score=float(hit.score) / 100 if float(hit.score) > 1 else float(hit.score),
            external_id=str(hit.pk),
            status=str(hit.status),
            reason=hit.reason,
        )
        for hit in run.hits.all()
    ]


def record_review(external_id: str, *, by: Any, decision: str, reason: str) -> None:
    """Tell the screening app of a review made on the case, so it remembers it for the same party."""
    if not external_id:
        return
    from attkit.screening import models, services

    hit = models.ScreeningHit.objects.filter(pk=external_id).first()
    if hit is None or hit.status != models.HitStatus.PENDING:
        return
    outcome = models.TrueMatchOutcome.REFUSE if decision == models.HitStatus.TRUE_MATCH else ""
    services.decide_hit(external_id, by=by, status=decision, reason=reason, outcome=outcome)


def match_key(name: str) -> str:
    """A name as the local screener compares it: normalised, legal forms removed."""
    text = normalise_name(name)
    return " ".join(_LEGAL_FORMS.sub(" ", text).split()) or text


class _LocalIndex:
    """The bundled UN list, indexed by match key (built once, on first use)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: list[str] = []
        self._rows: list[tuple[str, str, str, tuple[str, ...]]] = []  # ref, listed name, name, programmes
        self._loaded = False

    def _load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            try:
                from attkit.screening.loaders import UN_SAMPLE, load_un
            except ImportError:
                logger.warning("screening loaders missing: parties are not screened")
                self._loaded = True
                return
            snapshot = load_un(UN_SAMPLE)
            for entry in snapshot.entries:
                for name in entry.names:
                    key = match_key(name.value)
                    if key:
                        self._keys.append(key)
                        self._rows.append((entry.ref, entry.primary_name, name.value, tuple(entry.programs)))
            self._loaded = True

    def screen(self, party: PartyQuery) -> list[Hit]:
        self._load()
        query = match_key(party.name)
        if not query or not self._keys:
            return []
        from rapidfuzz import fuzz, process

        found = process.extract(query, self._keys, scorer=fuzz.token_sort_ratio, score_cutoff=LOCAL_THRESHOLD, limit=50)
        best: dict[str, Hit] = {}
        for _key, score, index in found:
            ref, listed, name, programs = self._rows[index]
            if ref not in best or best[ref].score < score / 100:
                best[ref] = Hit("UN", ref, listed, name, round(score / 100, 3), programs)
        return sorted(best.values(), key=lambda h: -h.score)[:MAX_HITS_PER_PARTY]


_index: _LocalIndex | None = None


def _local() -> _LocalIndex:
    global _index  # noqa: PLW0603  (built once per process)
    if _index is None:
        _index = _LocalIndex()
    return _index
