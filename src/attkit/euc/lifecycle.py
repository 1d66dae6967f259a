"""The life of an end-user certificate as a pure state machine: statuses, events, guards (no Django)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Status(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PARTIALLY_USED = "partially_used"
    USED = "used"
    CLOSED = "closed"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class Event(StrEnum):
    ISSUE = "issue"
    USE_PART = "use_part"  # a drawdown that leaves some quantity on the certificate
    USE_ALL = "use_all"  # a drawdown that takes the last of every goods line
    DELIVER = "deliver"  # the delivery verification certificate (DVC) closes the certificate
    REVOKE = "revoke"
    EXPIRE = "expire"
    SUPERSEDE = "supersede"  # an amendment was issued with a new serial


S, E = Status, Event

TRANSITIONS: Mapping[tuple[Status, Event], Status] = MappingProxyType(
    {
        (S.DRAFT, E.ISSUE): S.ISSUED,
        (S.ISSUED, E.USE_PART): S.PARTIALLY_USED,
        (S.ISSUED, E.USE_ALL): S.USED,
        (S.PARTIALLY_USED, E.USE_PART): S.PARTIALLY_USED,
        (S.PARTIALLY_USED, E.USE_ALL): S.USED,
        (S.ISSUED, E.DELIVER): S.CLOSED,
        (S.PARTIALLY_USED, E.DELIVER): S.CLOSED,
        (S.USED, E.DELIVER): S.CLOSED,
        (S.ISSUED, E.REVOKE): S.REVOKED,
        (S.PARTIALLY_USED, E.REVOKE): S.REVOKED,
        (S.USED, E.REVOKE): S.REVOKED,
        (S.ISSUED, E.EXPIRE): S.EXPIRED,
        (S.PARTIALLY_USED, E.EXPIRE): S.EXPIRED,
        (S.ISSUED, E.SUPERSEDE): S.SUPERSEDED,
        (S.PARTIALLY_USED, E.SUPERSEDE): S.SUPERSEDED,
    }
)

# A certificate in one of these states is in force: an exporting state may rely on it.
IN_FORCE = frozenset({S.ISSUED, S.PARTIALLY_USED})
# A certificate in one of these states can be amended (a new certificate replaces it when issued).
AMENDABLE = IN_FORCE
FINAL = frozenset({S.CLOSED, S.REVOKED, S.EXPIRED, S.SUPERSEDED})


class TransitionError(Exception):
    """An event that the certificate's status does not allow, or a guard that failed."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


def next_status(status: Status | str, event: Event | str) -> Status:
    """The status after the event; TransitionError when the event is not allowed in this status."""
    try:
        key = (Status(status), Event(event))
    except ValueError as exc:
        raise TransitionError("unknown", "Unknown status or event.") from exc
    if key not in TRANSITIONS:
        raise TransitionError(
            "not_allowed", "A certificate that is %(status)s cannot be %(event)s.", status=key[0], event=key[1]
        )
    return TRANSITIONS[key]


def allowed_events(status: Status | str) -> frozenset[Event]:
    return frozenset(event for (state, event) in TRANSITIONS if state == Status(status))


@dataclass(frozen=True)
class Actor:
    """Who acts, reduced to what the guards need."""

    id: object
    authority: str | None
    may_issue: bool  # holds the EUC issuer's permission


def check_issue(*, certificate_authority: str, drafted_by: object | None, actor: Actor) -> None:
    """Only an EUC issuer of the importing authority issues, and never the person who drafted the certificate."""
    if not actor.may_issue or actor.authority != certificate_authority:
        raise TransitionError("not_issuer", "Only an end-user certificate issuer of the importing authority may issue.")
    if drafted_by is not None and drafted_by == actor.id:
        raise TransitionError("four_eyes", "You drafted this certificate: another issuer must issue it (four eyes).")


def use_event(ordered: Mapping[Any, int], used: Mapping[Any, int], drawing: Mapping[Any, int]) -> Event:
    """The event a drawdown fires, after checking that it stays within the certificate.

    ordered: quantity per goods line on the certificate; used: already drawn; drawing: this drawdown.
    """
    if not drawing or all(q == 0 for q in drawing.values()):
        raise TransitionError("empty", "Enter a quantity for at least one goods line.")
    for line, qty in drawing.items():
        if line not in ordered:
            raise TransitionError("unknown_line", "The goods line %(line)s is not on this certificate.", line=line)
        if qty < 0:
            raise TransitionError("negative", "Quantities cannot be negative.")
        left = ordered[line] - used.get(line, 0)
        if qty > left:
            raise TransitionError(
                "exceeded",
                "Goods line %(line)s: %(qty)s asked, only %(left)s left on the certificate.",
                line=line,
                qty=qty,
                left=left,
            )
    exhausted = all(used.get(line, 0) + drawing.get(line, 0) >= qty for line, qty in ordered.items())
    return Event.USE_ALL if exhausted else Event.USE_PART


def effective_status(status: Status | str, expiry: date | None, today: date) -> Status:
    """The status to show: a certificate in force past its expiry date is expired even before the sweep runs."""
    current = Status(status)
    if current in IN_FORCE and expiry is not None and today > expiry:
        return Status.EXPIRED
    return current


def next_action(status: Status | str) -> str:
    """A code for the next thing that should happen to a certificate in this status."""
    return {
        S.DRAFT: "complete_and_issue",
        S.ISSUED: "await_use",
        S.PARTIALLY_USED: "await_use_or_delivery",
        S.USED: "record_delivery",
    }.get(Status(status), "none")
