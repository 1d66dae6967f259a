"""The one helper through which every state change writes its hash-chained audit event."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from attkit.core.models import AuditEvent, Authority

if TYPE_CHECKING:
    from attkit.accounts.models import User

GENESIS = "0" * 64
GLOBAL_CHAIN = "_global"
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]*:[a-z0-9_.\-]+$")


class CoreAuditKind(StrEnum):
    AUTHORITY_CREATE = "authority:create"
    AUTHORITY_UPDATE = "authority:update"
    USER_CREATE = "user:create"
    USER_UPDATE = "user:update"
    USER_LOGIN = "user:login"
    USER_LOGIN_FAILED = "user:login_failed"
    USER_LOGOUT = "user:logout"
    USER_2FA_ENROL = "user:2fa_enrol"
    USER_2FA_VERIFY = "user:2fa_verify"
    USER_2FA_RESET = "user:2fa_reset"
    TOKEN_CREATE = "token:create"  # noqa: S105  (an audit kind, not a secret)
    TOKEN_REVOKE = "token:revoke"  # noqa: S105  (an audit kind, not a secret)
    REFERENCE_LOAD = "reference:load"
    REFERENCE_CHANGE = "reference:change"
    DEMO_LOAD = "demo:load"
    ACCESS_DENIED = "access:denied"


def _canonical(value: Any) -> Any:
    """JSON as the database will give it back, so the hash is stable after a round trip."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def compute_hash(event: AuditEvent) -> str:
    body = {
        "chain": event.chain,
        "seq": event.seq,
        "time": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "authority": str(event.authority_id) if event.authority_id else None,
        "kind": event.kind,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "payload": event.payload,
        "prev": event.prev_hash,
    }
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _lock_chain(chain: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"attkit-audit:{chain}"])
    # SQLite: attkit opens write transactions with BEGIN IMMEDIATE, which serialises writers already.


def record(
    actor: User | None,
    kind: StrEnum | str,
    target: Model | None = None,
    payload: dict[str, Any] | None = None,
    *,
    authority: Authority | None = None,
    actor_label: str | None = None,
    global_chain: bool = False,
) -> AuditEvent:
    """Append one audit event in the caller's transaction (it must be inside one).

    The event joins its authority's chain (given, or the target's, or the actor's); changes to data
    shared by every authority (reference data, published lists) pass global_chain=True.
    """
    kind_value = str(kind)
    if not _KIND_RE.match(kind_value):
        raise ValueError(f"Audit kind {kind_value!r} must look like 'app:verb'.")
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the use case's transaction (transaction.atomic).")
    if global_chain:
        authority = None
    elif authority is None:
        authority = _authority_of(target) or (getattr(actor, "authority", None) if actor is not None else None)
    chain = authority.code if authority is not None else GLOBAL_CHAIN
    _lock_chain(chain)
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash").first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    label = actor_label or (actor.get_username() if actor is not None else "system")
    event = AuditEvent(
        chain=chain,
        seq=seq,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label[:200],
        authority=authority,
        kind=kind_value,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        payload=_canonical(payload or {}),
        prev_hash=prev,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


def _authority_of(target: Model | None) -> Authority | None:
    if target is None:
        return None
    if isinstance(target, Authority):
        return target
    authority = getattr(target, "authority", None)
    return authority if isinstance(authority, Authority) else None


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int
    event_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    chains: dict[str, int]
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_chains() -> ChainReport:
    """Recompute every chain; report the first broken link of each."""
    counts: dict[str, int] = {}
    breaks: list[ChainBreak] = []
    chains = AuditEvent.objects.values_list("chain", flat=True).distinct().order_by("chain")
    for chain in chains:
        prev = GENESIS
        expected_seq = 1
        n = 0
        for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
            n += 1
            reason = None
            if event.seq != expected_seq:
                reason = f"sequence jumps from {expected_seq - 1} to {event.seq} (an event is missing)"
            elif event.prev_hash != prev:
                reason = "previous-hash link does not match the event before it"
            elif compute_hash(event) != event.hash:
                reason = "content was altered after it was written (hash mismatch)"
            if reason:
                breaks.append(ChainBreak(chain, event.seq, event.id, reason))
                break
            prev = event.hash
            expected_seq += 1
        counts[chain] = n
    return ChainReport(counts, breaks)


def chain_head(chain: str) -> int:
    return AuditEvent.objects.filter(chain=chain).aggregate(m=Max("seq"))["m"] or 0


__all__ = ["ChainBreak", "ChainReport", "CoreAuditKind", "record", "transaction", "verify_chains"]
