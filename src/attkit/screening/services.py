"""Screening use cases: load a list (diffed, one transaction), search, screen a party, review a hit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attkit.core import audit
from attkit.core.models import Authority
from attkit.core.permissions import Permission, require
from attkit.screening import storage
from attkit.screening.loaders import LOADERS, ListFormatError, ListKind, ListSnapshot
from attkit.screening.loaders.model import MAX_NAME_LENGTH, ListEntry
from attkit.screening.models import (
    HitDecision,
    HitStatus,
    ListedEntry,
    ListKindChoice,
    ListVersion,
    ScreeningHit,
    ScreeningRun,
    TrueMatchOutcome,
)

if TYPE_CHECKING:
    from attkit.accounts.models import User

logger = logging.getLogger(__name__)


class ScreeningAuditKind(StrEnum):
    LIST_LOAD = "screening:list_load"
    SCREEN = "screening:screen"
    HIT_DECIDE = "screening:hit_decide"
    RESCREEN = "screening:rescreen"


LIST_NAMES = {
    ListKind.UN: "UN Security Council Consolidated List",
    ListKind.OFAC: "OFAC SDN list",
    ListKind.FTM: "OpenSanctions entities",
    ListKind.CSV: "National list",
}


# --- Loading ---------------------------------------------------------------------------------


def parse_list(kind: str, path: Path, *, version: str | None = None) -> ListSnapshot:
    """Parse a list file with the loader of its kind; a clear ValidationError for anything wrong."""
    try:
        list_kind = ListKind(kind)
    except ValueError:
        raise ValidationError(
            {"kind": _("Unknown list kind %(kind)s: use un, ofac, ftm or csv.") % {"kind": kind}}
        ) from None
    try:
        return LOADERS[list_kind](path, version=version)
    except ListFormatError as exc:
        raise ValidationError({"file": str(exc)}) from None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _check_storable(rows: list[tuple[ListEntry, dict[str, Any]]]) -> None:
    """Refuse what the loaders accept but a database cannot store (PostgreSQL: no NUL, references of 100)."""
    limit = ListedEntry._meta.get_field("ref").max_length or 0
    for entry, data in rows:
        shown = entry.ref[:40].replace("\x00", "")
        if len(entry.ref) > limit:
            raise ValidationError(
                {
                    "file": _("The reference of entry %(ref)s… is %(n)s characters long; at most %(max)s are accepted.")
                    % {"ref": shown, "n": len(entry.ref), "max": limit}
                }
            )
        if _has_nul(data) or "\x00" in entry.ref:
            raise ValidationError(
                {
                    "file": _("Entry %(ref)s contains a NUL character; the file is damaged or not a list.")
                    % {"ref": shown}
                }
            )


def load_list(
    kind: str,
    path: Path,
    *,
    by: User | None = None,
    authority: Authority | None = None,
    name: str = "",
    version: str | None = None,
) -> ListVersion:
    """Load a list version in one transaction: entries, provenance, counts and the diff from the last one.

    A national CSV list belongs to an authority; the published lists (UN, OFAC, FtM) are shared.
    """
    if by is not None:
        require(by, Permission.SCREENING_LOAD)
        authority = by.authority if kind == ListKind.CSV else None
    if kind == ListKind.CSV and authority is None:
        raise ValidationError({"authority": _("A national list belongs to an authority: name it.")})
    snapshot = parse_list(kind, path, version=version)
    rows = [(e, storage.entry_to_dict(e)) for e in snapshot.entries]
    _check_storable(rows)
    list_name = name or LIST_NAMES[snapshot.kind]
    with transaction.atomic():
        previous = (
            ListVersion.objects.select_for_update()
            .filter(kind=snapshot.kind.value, authority=authority, is_current=True, name=list_name)
            .first()
        )
        old_hashes = (
            dict(ListedEntry.objects.filter(version=previous).values_list("ref", "content_hash")) if previous else {}
        )
        new_hashes = {entry.ref: storage.content_hash(data) for entry, data in rows}
        added = sorted(new_hashes.keys() - old_hashes.keys())
        removed = sorted(old_hashes.keys() - new_hashes.keys())
        changed = sorted(r for r in new_hashes.keys() & old_hashes.keys() if new_hashes[r] != old_hashes[r])
        loaded = ListVersion.objects.create(
            kind=snapshot.kind.value,
            name=list_name,
            authority=authority,
            source=Path(snapshot.source).name,
            version=snapshot.version,
            generated_at=snapshot.generated_at,
            sha256=snapshot.sha256,
            counts=snapshot.counts,
            added=added if previous else [],
            removed=removed,
            changed=changed,
            previous=previous,
            loaded_by=by,
        )
        if previous:
            ListVersion.objects.filter(pk=previous.pk).update(is_current=False)
        ListedEntry.objects.bulk_create(
            [
                ListedEntry(
                    version=loaded,
                    ref=entry.ref,
                    schema=entry.schema.value,
                    primary_name=entry.primary_name[:MAX_NAME_LENGTH],
                    content_hash=new_hashes[entry.ref],
                    data=data,
                )
                for entry, data in rows
            ],
            batch_size=2000,
        )
        audit.record(
            by,
            ScreeningAuditKind.LIST_LOAD,
            loaded,
            {
                "kind": loaded.kind,
                "version": loaded.version,
                "sha256": loaded.sha256,
                "counts": loaded.counts,
                "added": len(loaded.added),
                "removed": len(removed),
                "changed": len(changed),
            },
            authority=authority,
            actor_label=None if by else "system",
            global_chain=authority is None,
        )
        transaction.on_commit(invalidate_index)
        if previous is not None and (added or removed or changed):
            transaction.on_commit(lambda: _rescreen_after_load(loaded))
    return loaded


def _rescreen_after_load(loaded: ListVersion) -> None:
    """Re-screen after a changed list has committed. If that fails, say so plainly: the list is loaded (so
    the generic 'not saved' answer would be false) and loading it again finds no change, so it would not
    re-screen; the command does."""
    try:
        rescreen_all(reason=f"{loaded.kind} {loaded.version}")
    except DatabaseError as exc:
        logger.exception("list %s %s loaded, but re-screening failed", loaded.kind, loaded.version)
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        raise ValidationError(
            _(
                "The list was loaded (version %(version)s), but re-screening the open cases and valid "
                "certificates against it failed. Run `attkit screening rescreen` to finish."
            )
            % {"version": loaded.version}
        ) from exc


def current_versions(authority: Authority | UUID | None) -> list[ListVersion]:
    """The lists a state screens on: the shared ones and its own."""
    qs = ListVersion.objects.filter(is_current=True)
    authority_id = authority.pk if isinstance(authority, Authority) else authority
    return list(qs.filter(authority__isnull=True)) + (
        list(qs.filter(authority_id=authority_id)) if authority_id else []
    )


# --- The in-memory index -----------------------------------------------------------------------

_INDEXES: dict[tuple[str, ...], Any] = {}
_INDEX_LOCK = threading.Lock()


def invalidate_index() -> None:
    with _INDEX_LOCK:
        _INDEXES.clear()


def _entries_of(versions: Iterable[ListVersion]) -> Iterator[tuple[ListVersion, ListEntry, str]]:
    for version in versions:
        for data, digest in (
            ListedEntry.objects.filter(version=version).values_list("data", "content_hash").iterator(chunk_size=5000)
        ):
            yield version, storage.entry_from_dict(data), digest


@dataclass
class IndexedLists:
    """The engine's index over some list versions, with what is needed to record a hit."""

    index: Any
    versions: dict[str, ListVersion]
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, ref) -> content hash


def index_for(versions: list[ListVersion]) -> IndexedLists:
    """The index over exactly these list versions, built once per process and reused."""
    from attkit.screening.index import Index

    key = tuple(sorted(str(v.pk) for v in versions))
    with _INDEX_LOCK:
        cached = _INDEXES.get(key)
    if cached is not None:
        return cached
    entries: list[tuple[str, ListEntry]] = []
    hashes: dict[tuple[str, str], str] = {}
    for version, entry, digest in _entries_of(versions):
        entries.append((version.kind, entry))
        hashes[(version.kind, entry.ref)] = digest
    index = Index()
    by_kind: dict[str, list[ListEntry]] = {}
    for kind, entry in entries:
        by_kind.setdefault(kind, []).append(entry)
    for kind, kind_entries in by_kind.items():
        index.add(kind, kind_entries)
    built = IndexedLists(index, {v.kind: v for v in versions}, hashes)
    with _INDEX_LOCK:
        _INDEXES[key] = built
    return built


def warm_index(authority: Authority | None = None) -> IndexedLists:
    return index_for(current_versions(authority))


def warm_all_indexes() -> int:
    """Build the index every state screens on now (the shared lists, with each state's own where it has
    some); returns how many. Called before gunicorn forks its workers (attkit.wsgi)."""
    owners = set(
        ListVersion.objects.filter(is_current=True, authority__isnull=False).values_list("authority_id", flat=True)
    )
    warm_index(None)
    for authority_id in owners:
        index_for(current_versions(authority_id))
    return 1 + len(owners)


# --- Searching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchOut:
    list: str
    ref: str
    name: str
    score: float
    explanation: str
    entry_name: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "list": self.list,
            "ref": self.ref,
            "name": self.name,
            "score": self.score,
            "explanation": self.explanation,
        }


def check_query(name: str, dob: str | None, country: str | None) -> None:
    if not name or not name.strip():
        raise ValidationError({"name": _("Enter a name to screen.")})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            {
                "name": _("The name is too long (%(n)s characters; the limit is %(max)s).")
                % {"n": len(name), "max": MAX_NAME_LENGTH}
            }
        )
    if dob:
        from attkit.screening.matcher import parse_dob

        try:
            parse_dob(dob)
        except ValueError:
            raise ValidationError({"dob": _("Enter the date of birth as YYYY-MM-DD, YYYY-MM or YYYY.")}) from None
    if country and len(country.strip()) > 60:
        raise ValidationError({"country": _("Enter the country as a two-letter ISO code.")})


def search(
    name: str,
    *,
    authority: Authority | UUID | None,
    dob: str | None = None,
    country: str | None = None,
    schema: str | None = None,
    threshold: float | None = None,
    limit: int = 10,
) -> list[MatchOut]:
    """Matches at or above the threshold, best first, against the lists the authority screens on."""
    check_query(name, dob, country)
    cut = float(settings.SCREENING_THRESHOLD if threshold is None else threshold)
    if not 0.0 <= cut <= 1.0:
        raise ValidationError({"threshold": _("The threshold is a number from 0 to 1.")})
    indexed = index_for(current_versions(authority))
    return _search_indexed(indexed, name, dob=dob, country=country, schema=schema, threshold=cut, limit=limit)


def _search_indexed(
    indexed: IndexedLists,
    name: str,
    *,
    dob: str | None,
    country: str | None,
    schema: str | None,
    threshold: float,
    limit: int,
) -> list[MatchOut]:
    from attkit.screening.index import UnknownSchema
    from attkit.screening.normalize import InvalidName

    try:
        found = indexed.index.search(name, dob=dob, country=country, schema=schema, limit=limit, threshold=threshold)
    except InvalidName as exc:
        raise ValidationError({"name": str(exc)}) from None
    except UnknownSchema:
        raise ValidationError(
            {"schema": _("Enter the kind of subject as person, organization, vessel or aircraft.")}
        ) from None
    except ValueError:
        raise ValidationError({"dob": _("Enter the date of birth as YYYY-MM-DD, YYYY-MM or YYYY.")}) from None
    out = []
    for m in found:
        entry = m.entry
        details: dict[str, Any] = {"explanation": m.explanation.to_dict()}
        if entry is not None:
            details["dob"] = ", ".join(str(d) for d in entry.dobs)
            details["country"] = ", ".join(entry.nationalities or entry.countries)
        out.append(
            MatchOut(
                list=m.list_kind,
                ref=m.entry_ref,
                name=m.name,
                score=round(float(m.score), 4),
                explanation=m.explanation.summary,
                entry_name=entry.primary_name if entry is not None else m.name,
                details=details,
            )
        )
    return out


# --- Screening parties in the workflow -----------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A party to screen, wherever it lives (an EUC party, a case party)."""

    authority: Authority
    subject_type: str  # e.g. "euc.eucparty", "licensing.party"
    subject_id: str
    label: str
    name: str
    dob: str = ""
    country: str = ""
    schema: str = ""


SubjectProvider = Callable[[], Iterable[Subject]]
_PROVIDERS: list[SubjectProvider] = []


def register_subject_provider(provider: SubjectProvider) -> None:
    """Apps register the parties of their open cases and valid certificates, re-screened when a list changes."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def screen_subject(subject: Subject, *, by: User | None = None) -> ScreeningRun:
    """Screen one party now; earlier decisions on the same party and list entry are applied again."""
    threshold = float(settings.SCREENING_THRESHOLD)
    versions = current_versions(subject.authority)
    indexed = index_for(versions)
    matches = _search_indexed(
        indexed,
        subject.name,
        dob=subject.dob or None,
        country=subject.country or None,
        schema=subject.schema or None,
        threshold=threshold,
        limit=20,
    )
    fingerprint = storage.party_fingerprint(subject.name, subject.dob, subject.country, subject.schema)
    with transaction.atomic():
        ScreeningRun.objects.filter(
            authority=subject.authority,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            is_latest=True,
        ).update(is_latest=False)
        run = ScreeningRun.objects.create(
            authority=subject.authority,
            subject_type=subject.subject_type,
            subject_id=subject.subject_id,
            subject_label=subject.label[:300],
            name=subject.name[:MAX_NAME_LENGTH],
            dob=subject.dob,
            country=subject.country,
            schema=subject.schema,
            fingerprint=fingerprint,
            threshold=threshold,
            list_versions=[{"kind": v.kind, "version": v.version, "id": str(v.pk)} for v in versions],
            requested_by=by,
        )
        for match in matches:
            entry_hash = indexed.hashes.get((match.list, match.ref), "")
            remembered = (
                HitDecision.objects.filter(
                    authority=subject.authority,
                    fingerprint=fingerprint,
                    list_kind=match.list,
                    entry_ref=match.ref,
                    entry_hash=entry_hash,
                )
                .order_by("-created_at")
                .first()
            )
            ScreeningHit.objects.create(
                authority=subject.authority,
                run=run,
                list_kind=match.list,
                list_version=indexed.versions[match.list],
                entry_ref=match.ref,
                entry_name=match.entry_name[:MAX_NAME_LENGTH],
                entry_hash=entry_hash,
                matched_name=match.name[:MAX_NAME_LENGTH],
                score=match.score,
                explanation=match.explanation,
                details=match.details,
                status=remembered.status if remembered else HitStatus.PENDING,
                outcome=remembered.outcome if remembered else "",
                reason=remembered.reason if remembered else "",
                decided_by_id=remembered.decided_by_id if remembered else None,
                decided_at=remembered.created_at if remembered else None,
                remembered=remembered is not None,
            )
        audit.record(
            by,
            ScreeningAuditKind.SCREEN,
            run,
            {"subject": f"{subject.subject_type}:{subject.subject_id}", "hits": len(matches)},
            authority=subject.authority,
        )
    return run


def latest_run(authority: Authority | UUID, subject_type: str, subject_id: str) -> ScreeningRun | None:
    return (
        ScreeningRun.objects.filter(
            authority=authority, subject_type=subject_type, subject_id=str(subject_id), is_latest=True
        )
        .prefetch_related("hits")
        .first()
    )


def blocking_hits(authority: Authority | UUID, subject_type: str, subject_ids: Iterable[str]) -> list[ScreeningHit]:
    """Hits that hold a case: awaiting review, or true matches leading to refusal."""
    hits = ScreeningHit.objects.filter(
        authority=authority,
        run__subject_type=subject_type,
        run__subject_id__in=[str(s) for s in subject_ids],
        run__is_latest=True,
    )
    return [h for h in hits if h.is_blocking]


HitDecidedHook = Callable[[ScreeningHit], None]
_DECIDED_HOOKS: list[HitDecidedHook] = []


def on_hit_decided(hook: HitDecidedHook) -> None:
    if hook not in _DECIDED_HOOKS:
        _DECIDED_HOOKS.append(hook)


def decide_hit(hit_id: UUID | str, *, by: User, status: str, reason: str, outcome: str = "") -> ScreeningHit:
    """An officer records a true match (refusal under Art. 6(1) or escalation) or a false positive (with a reason)."""
    require(by, Permission.SCREENING_REVIEW)
    reason = (reason or "").strip()
    if status not in (HitStatus.TRUE_MATCH, HitStatus.FALSE_POSITIVE):
        raise ValidationError({"status": _("Choose true match or false positive.")})
    if not reason:
        raise ValidationError({"reason": _("Give the reason for your decision.")})
    if len(reason) > 5000:
        raise ValidationError({"reason": _("The reason is too long (5,000 characters at most).")})
    if status == HitStatus.TRUE_MATCH and outcome not in (TrueMatchOutcome.REFUSE, TrueMatchOutcome.ESCALATE):
        raise ValidationError({"outcome": _("Choose what follows the true match: refusal or escalation.")})
    if status == HitStatus.FALSE_POSITIVE:
        outcome = ""
    with transaction.atomic():
        hit = ScreeningHit.objects.for_user(by).select_for_update().select_related("run").get(pk=hit_id)
        if hit.status != HitStatus.PENDING:
            raise ValidationError({"status": _("This hit was already reviewed.")})
        hit.status = status
        hit.outcome = outcome
        hit.reason = reason
        hit.decided_by = by
        hit.decided_at = timezone.now()
        hit.save(update_fields=["status", "outcome", "reason", "decided_by", "decided_at"])
        HitDecision.objects.create(
            authority=hit.authority,
            fingerprint=hit.run.fingerprint,
            list_kind=hit.list_kind,
            entry_ref=hit.entry_ref,
            entry_hash=hit.entry_hash,
            status=status,
            outcome=outcome,
            reason=reason,
            decided_by=by,
        )
        audit.record(
            by,
            ScreeningAuditKind.HIT_DECIDE,
            hit,
            {"status": status, "outcome": outcome, "reason": reason, "list": hit.list_kind, "ref": hit.entry_ref},
        )
        for hook in _DECIDED_HOOKS:
            hook(hit)
    return hit


ListsChangedHook = Callable[[], int]
_LIST_CHANGE_HOOKS: list[ListsChangedHook] = []


def on_lists_changed(hook: ListsChangedHook) -> None:
    """Apps whose records hold screening results of their own (a case's hits and flags) re-screen them here."""
    if hook not in _LIST_CHANGE_HOOKS:
        _LIST_CHANGE_HOOKS.append(hook)


def rescreen_all(*, reason: str = "") -> int:
    """Re-screen every party of open cases and valid certificates (after a list changed)."""
    count = 0
    for hook in list(_LIST_CHANGE_HOOKS):
        count += hook()
    for provider in list(_PROVIDERS):
        for subject in provider():
            try:
                screen_subject(subject)
                count += 1
            except (ValidationError, PermissionDenied) as exc:
                logger.warning("re-screening %s:%s failed: %s", subject.subject_type, subject.subject_id, exc)
    logger.info("re-screened %d parties (%s)", count, reason)
    return count


__all__ = [
    "ListKindChoice",
    "MatchOut",
    "Subject",
    "blocking_hits",
    "decide_hit",
    "latest_run",
    "load_list",
    "register_subject_provider",
    "rescreen_all",
    "screen_subject",
    "search",
]


def batch_line(indexed: IndexedLists, row: dict[str, str], threshold: float | None) -> dict[str, Any]:
    """One output line of a batch: {"id", "matches": [...]} best first, only at or above the threshold."""
    cut = float(settings.SCREENING_THRESHOLD if threshold is None else threshold)
    try:
        check_query(row.get("name", ""), row.get("dob") or None, row.get("country") or None)
        matches = _search_indexed(
            indexed,
            row["name"],
            dob=row.get("dob") or None,
            country=row.get("country") or None,
            schema=row.get("schema") or None,
            threshold=cut,
            limit=10,
        )
    except ValidationError as exc:  # a row that cannot be screened is reported on its line; the batch goes on
        from attkit.core.errors import one_line

        return {"id": row.get("id", ""), "matches": [], "error": one_line(exc)}
    return {"id": row.get("id", ""), "matches": [m.as_json() for m in matches]}
