"""The licensing workflow as a pure state machine: states, events, who may fire them, guards and the case clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from attkit.assessment import rules
from attkit.assessment.rules import Findings, Outcome


class State(StrEnum):
    """Where a case (application, then licence) stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    UNDER_ASSESSMENT = "under_assessment"
    AWAITING_INFORMATION = "awaiting_information"
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature"
    APPROVED = "approved"
    REFUSED = "refused"
    LICENCE_ISSUED = "licence_issued"
    IN_USE = "in_use"
    EXHAUSTED = "exhausted"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"


class Event(StrEnum):
    """Something that happens to a case and may move it to another state."""

    SUBMIT = "submit"
    START_SCREENING = "start_screening"
    SCREENING_CLEAR = "screening_clear"
    REQUEST_INFORMATION = "request_information"
    INFORMATION_PROVIDED = "information_provided"
    PROPOSE_DECISION = "propose_decision"
    COUNTERSIGN_AGREE = "countersign_agree"
    COUNTERSIGN_DISAGREE = "countersign_disagree"
    ISSUE_LICENCE = "issue_licence"
    RECORD_SHIPMENT = "record_shipment"
    EXHAUST = "exhaust"
    EXPIRE = "expire"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"
    WITHDRAW = "withdraw"


class Role(StrEnum):
    """Who fires an event. SYSTEM is the scheduler and the drawdown service, never a person."""

    APPLICANT = "applicant"
    LICENSING_OFFICER = "licensing_officer"
    SUPERVISOR = "supervisor"
    CUSTOMS_OFFICER = "customs_officer"
    SYSTEM = "system"


S, E, R = State, Event, Role

# Every legal move: (from, event) -> the states it may lead to. Where there are two, the context
# decides: the proposed outcome for countersign_agree, the state to resume for the other two.
TRANSITIONS: Mapping[tuple[State, Event], tuple[State, ...]] = MappingProxyType(
    {
        (S.DRAFT, E.SUBMIT): (S.SUBMITTED,),
        (S.DRAFT, E.WITHDRAW): (S.WITHDRAWN,),
        (S.SUBMITTED, E.START_SCREENING): (S.SCREENING,),
        (S.SUBMITTED, E.WITHDRAW): (S.WITHDRAWN,),
        (S.SCREENING, E.SCREENING_CLEAR): (S.UNDER_ASSESSMENT,),
        (S.SCREENING, E.REQUEST_INFORMATION): (S.AWAITING_INFORMATION,),
        (S.SCREENING, E.WITHDRAW): (S.WITHDRAWN,),
        (S.UNDER_ASSESSMENT, E.REQUEST_INFORMATION): (S.AWAITING_INFORMATION,),
        (S.UNDER_ASSESSMENT, E.PROPOSE_DECISION): (S.AWAITING_COUNTERSIGNATURE,),
        (S.UNDER_ASSESSMENT, E.WITHDRAW): (S.WITHDRAWN,),
        (S.AWAITING_INFORMATION, E.INFORMATION_PROVIDED): (S.SCREENING, S.UNDER_ASSESSMENT),
        (S.AWAITING_INFORMATION, E.WITHDRAW): (S.WITHDRAWN,),
        (S.AWAITING_COUNTERSIGNATURE, E.COUNTERSIGN_AGREE): (S.APPROVED, S.REFUSED),
        (S.AWAITING_COUNTERSIGNATURE, E.COUNTERSIGN_DISAGREE): (S.UNDER_ASSESSMENT,),
        (S.AWAITING_COUNTERSIGNATURE, E.WITHDRAW): (S.WITHDRAWN,),
        (S.APPROVED, E.ISSUE_LICENCE): (S.LICENCE_ISSUED,),
        (S.LICENCE_ISSUED, E.RECORD_SHIPMENT): (S.IN_USE,),
        (S.LICENCE_ISSUED, E.EXPIRE): (S.EXPIRED,),
        (S.LICENCE_ISSUED, E.SUSPEND): (S.SUSPENDED,),
        (S.LICENCE_ISSUED, E.REVOKE): (S.REVOKED,),
        (S.IN_USE, E.RECORD_SHIPMENT): (S.IN_USE,),
        (S.IN_USE, E.EXHAUST): (S.EXHAUSTED,),
        (S.IN_USE, E.EXPIRE): (S.EXPIRED,),
        (S.IN_USE, E.SUSPEND): (S.SUSPENDED,),
        (S.IN_USE, E.REVOKE): (S.REVOKED,),
        (S.SUSPENDED, E.REINSTATE): (S.LICENCE_ISSUED, S.IN_USE),
        (S.SUSPENDED, E.REVOKE): (S.REVOKED,),
        (S.SUSPENDED, E.EXPIRE): (S.EXPIRED,),
    }
)

# Who may fire each event. Four eyes: the officer proposes, a supervisor countersigns.
EVENT_ROLES: Mapping[Event, frozenset[Role]] = MappingProxyType(
    {
        E.SUBMIT: frozenset({R.APPLICANT}),
        E.WITHDRAW: frozenset({R.APPLICANT}),
        E.INFORMATION_PROVIDED: frozenset({R.APPLICANT}),
        E.START_SCREENING: frozenset({R.LICENSING_OFFICER, R.SYSTEM}),
        E.SCREENING_CLEAR: frozenset({R.LICENSING_OFFICER}),
        E.REQUEST_INFORMATION: frozenset({R.LICENSING_OFFICER}),
        E.PROPOSE_DECISION: frozenset({R.LICENSING_OFFICER}),
        E.ISSUE_LICENCE: frozenset({R.LICENSING_OFFICER}),
        E.COUNTERSIGN_AGREE: frozenset({R.SUPERVISOR}),
        E.COUNTERSIGN_DISAGREE: frozenset({R.SUPERVISOR}),
        E.SUSPEND: frozenset({R.SUPERVISOR}),
        E.REINSTATE: frozenset({R.SUPERVISOR}),
        E.REVOKE: frozenset({R.SUPERVISOR}),
        E.RECORD_SHIPMENT: frozenset({R.CUSTOMS_OFFICER}),
        E.EXHAUST: frozenset({R.SYSTEM}),
        E.EXPIRE: frozenset({R.SYSTEM}),
    }
)

# Events whose record must say why (UI.md: dangerous actions need a reason).
REASON_REQUIRED: frozenset[Event] = frozenset(
    {E.REQUEST_INFORMATION, E.COUNTERSIGN_DISAGREE, E.SUSPEND, E.REINSTATE, E.REVOKE}
)

TERMINAL_STATES: frozenset[State] = frozenset({S.REFUSED, S.EXHAUSTED, S.EXPIRED, S.REVOKED, S.WITHDRAWN})

# The case clock runs from submission to the decision and stands still while the applicant is asked
# for information.
CLOCK_START_STATE = S.SUBMITTED
CLOCK_PAUSED_STATES: frozenset[State] = frozenset({S.AWAITING_INFORMATION})
CLOCK_STOP_STATES: frozenset[State] = frozenset({S.APPROVED, S.REFUSED, S.WITHDRAWN})

# English labels for messages; the Django layer translates by code.
STATE_LABELS: Mapping[State, str] = MappingProxyType(
    {
        S.DRAFT: "draft",
        S.SUBMITTED: "submitted",
        S.SCREENING: "in screening",
        S.UNDER_ASSESSMENT: "under assessment",
        S.AWAITING_INFORMATION: "awaiting information from the applicant",
        S.AWAITING_COUNTERSIGNATURE: "awaiting countersignature",
        S.APPROVED: "approved",
        S.REFUSED: "refused",
        S.LICENCE_ISSUED: "licence issued",
        S.IN_USE: "licence in use",
        S.EXHAUSTED: "licence exhausted",
        S.EXPIRED: "licence expired",
        S.SUSPENDED: "licence suspended",
        S.REVOKED: "licence revoked",
        S.WITHDRAWN: "withdrawn",
    }
)
EVENT_LABELS: Mapping[Event, str] = MappingProxyType(
    {
        E.SUBMIT: "submit the application",
        E.START_SCREENING: "start screening",
        E.SCREENING_CLEAR: "clear screening",
        E.REQUEST_INFORMATION: "request information from the applicant",
        E.INFORMATION_PROVIDED: "provide the requested information",
        E.PROPOSE_DECISION: "propose a decision",
        E.COUNTERSIGN_AGREE: "countersign the decision",
        E.COUNTERSIGN_DISAGREE: "return the decision for reassessment",
        E.ISSUE_LICENCE: "issue the licence",
        E.RECORD_SHIPMENT: "record a shipment",
        E.EXHAUST: "mark the licence exhausted",
        E.EXPIRE: "mark the licence expired",
        E.SUSPEND: "suspend the licence",
        E.REINSTATE: "reinstate the licence",
        E.REVOKE: "revoke the licence",
        E.WITHDRAW: "withdraw the application",
    }
)


class IllegalTransition(Exception):
    """An event that may not happen now. `code` and `params` let the Django layer translate `template`."""

    def __init__(self, code: str, template: str, **params: str) -> None:
        self.code = code
        self.template = template
        self.params = params
        super().__init__(template % params)

    @property
    def message(self) -> str:
        """The English message."""
        return self.template % self.params


class RoleNotPermitted(IllegalTransition):
    """The event exists in this state, but the acting role may not fire it (a 403, not a 422)."""


class GuardFailed(IllegalTransition):
    """The event exists and the role may fire it, but a condition of the case stops it."""


@dataclass(frozen=True)
class Context:
    """What the guards need to know, passed in by the service: the machine looks nothing up.

    Ids are compared for equality only; pass them as strings (str(uuid)).
    """

    actor_id: str | None = None
    proposer_id: str | None = None  # who proposed the decision now awaiting countersignature
    proposed_outcome: Outcome | None = None
    findings: Findings | None = None  # the assessment's findings, needed for an approval
    unresolved_blocking_flags: tuple[str, ...] = ()  # codes of blocking flags no supervisor has resolved
    resume_state: State | None = None  # for information_provided and reinstate (see state_before)
    reason: str = ""


@dataclass(frozen=True)
class Transition:
    """A legal move, ready to be saved and written to the audit log."""

    old_state: State
    event: Event
    new_state: State
    role: Role
    actor_id: str | None = None
    outcome: Outcome | None = None
    reason: str = ""

    @property
    def pauses_clock(self) -> bool:
        """True when this move stops the case clock for a request for information."""
        return self.new_state in CLOCK_PAUSED_STATES and self.old_state not in CLOCK_PAUSED_STATES

    @property
    def resumes_clock(self) -> bool:
        """True when the applicant's answer restarts the case clock."""
        return self.old_state in CLOCK_PAUSED_STATES and self.new_state not in CLOCK_PAUSED_STATES

    @property
    def disagreement(self) -> str | None:
        """The supervisor's recorded disagreement, when the decision was sent back."""
        return self.reason if self.event is Event.COUNTERSIGN_DISAGREE else None


def _role_label(role: Role) -> str:
    return role.value.replace("_", " ")


def _labels(events: Sequence[Event]) -> str:
    return ", ".join(EVENT_LABELS[e] for e in events) or "nothing (the case is closed)"


def allowed_events(state: State, role: Role | None = None) -> tuple[Event, ...]:
    """The events declared from `state` (for `role` when given), in a stable order, for the UI.

    Guards are not checked here: a button may still be refused with a GuardFailed message.
    """
    state = State(state)
    return tuple(e for e in Event if (state, e) in TRANSITIONS and (role is None or Role(role) in EVENT_ROLES[e]))


def is_terminal(state: State) -> bool:
    """True when nothing can happen to the case any more."""
    return State(state) in TERMINAL_STATES


def transition(state: State, event: Event, *, role: Role, context: Context | None = None) -> Transition:
    """Apply `event` to a case in `state` on behalf of `role`, or raise IllegalTransition saying why."""
    state, event, role = State(state), Event(event), Role(role)
    ctx = context or Context()
    targets = TRANSITIONS.get((state, event))
    if targets is None:
        raise IllegalTransition(
            "not_allowed_in_state",
            "You cannot %(action)s while the case is %(state)s. Possible now: %(allowed)s.",
            action=EVENT_LABELS[event],
            state=STATE_LABELS[state],
            allowed=_labels(allowed_events(state)),
        )
    if role not in EVENT_ROLES[event]:
        raise RoleNotPermitted(
            "role_not_permitted",
            "The %(role)s role cannot %(action)s; that is for: %(roles)s.",
            role=_role_label(role),
            action=EVENT_LABELS[event],
            roles=", ".join(sorted(_role_label(r) for r in EVENT_ROLES[event])),
        )
    reason = ctx.reason.strip()
    if event in REASON_REQUIRED and not reason:
        raise GuardFailed("reason_required", "Give a reason to %(action)s.", action=EVENT_LABELS[event])
    new_state, outcome = _resolve(state, event, targets, ctx)
    return Transition(state, event, new_state, role, ctx.actor_id, outcome, reason)


def _resolve(state: State, event: Event, targets: tuple[State, ...], ctx: Context) -> tuple[State, Outcome | None]:
    """Check the event's guards and pick its target state."""
    if event is Event.SCREENING_CLEAR or event is Event.ISSUE_LICENCE:
        _no_blocking_flags(event, ctx)
        return targets[0], None
    if event is Event.PROPOSE_DECISION:
        outcome = _proposed_outcome(ctx)
        if ctx.actor_id is None:
            raise GuardFailed("actor_unknown", "The proposing officer must be identified.")
        if outcome is Outcome.APPROVE:
            _approval_allowed(event, ctx)
        return targets[0], outcome
    if event in (Event.COUNTERSIGN_AGREE, Event.COUNTERSIGN_DISAGREE):
        _four_eyes(ctx)
        if event is Event.COUNTERSIGN_DISAGREE:
            return targets[0], None
        outcome = _proposed_outcome(ctx)
        if outcome is Outcome.APPROVE:
            _approval_allowed(event, ctx)
            return State.APPROVED, outcome
        return State.REFUSED, outcome
    if event in (Event.INFORMATION_PROVIDED, Event.REINSTATE):
        if ctx.resume_state is None or State(ctx.resume_state) not in targets:
            raise GuardFailed(
                "resume_state_invalid",
                "To %(action)s, say which state the case returns to: one of %(choices)s.",
                action=EVENT_LABELS[event],
                choices=", ".join(STATE_LABELS[t] for t in targets),
            )
        return State(ctx.resume_state), None
    return targets[0], None


def _proposed_outcome(ctx: Context) -> Outcome:
    if ctx.proposed_outcome is None:
        raise GuardFailed("outcome_missing", "State the proposed decision: approve or refuse.")
    return Outcome(ctx.proposed_outcome)


def _no_blocking_flags(event: Event, ctx: Context) -> None:
    if ctx.unresolved_blocking_flags:
        raise GuardFailed(
            "blocking_flags",
            "You cannot %(action)s while blocking flags are unresolved: %(flags)s. A supervisor must resolve them.",
            action=EVENT_LABELS[event],
            flags=", ".join(ctx.unresolved_blocking_flags),
        )


def _approval_allowed(event: Event, ctx: Context) -> None:
    """An approval needs a finished assessment that does not require refusal, and no blocking flags."""
    _no_blocking_flags(event, ctx)
    if ctx.findings is None:
        raise GuardFailed("assessment_missing", "An approval needs a completed risk assessment (Arts 6, 7 and 11).")
    if not rules.can_countersign(Outcome.APPROVE, ctx.findings):
        codes = rules.refusal_codes(rules.criteria_relied_on(ctx.findings))
        raise GuardFailed(
            "contrary_to_assessment",
            "The assessment requires this case to be refused (%(grounds)s); it cannot be approved.",
            grounds=", ".join(codes) or "overriding risk under Art. 7(3)",
        )


def _four_eyes(ctx: Context) -> None:
    if ctx.actor_id is None or ctx.proposer_id is None:
        raise GuardFailed(
            "actor_unknown", "Both the proposing officer and the countersigning supervisor must be identified."
        )
    if ctx.actor_id == ctx.proposer_id:
        raise GuardFailed("own_decision", "You cannot countersign your own decision.")


# The case clock ---------------------------------------------------------------------------------

HistoryEntry = tuple[State, datetime]


@dataclass(frozen=True)
class Clock:
    """How long the authority has been working on a case, and how long it waited for the applicant."""

    working: timedelta = field(default_factory=timedelta)
    paused: timedelta = field(default_factory=timedelta)
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    running: bool = False


def case_clock(history: Sequence[HistoryEntry], now: datetime) -> Clock:
    """Read the clock from the (state, entered_at) history of a case, oldest first.

    The clock starts when the case is first submitted, stops for good at the decision (approved,
    refused or withdrawn) and does not count time spent awaiting information from the applicant.
    """
    _check_history(history, now)
    working = paused = timedelta()
    started_at: datetime | None = None
    for index, (raw_state, entered_at) in enumerate(history):
        state = State(raw_state)
        if started_at is None:
            if state is not CLOCK_START_STATE:
                continue
            started_at = entered_at
        if state in CLOCK_STOP_STATES:
            return Clock(working, paused, started_at, entered_at, running=False)
        left_at = history[index + 1][1] if index + 1 < len(history) else now
        if state in CLOCK_PAUSED_STATES:
            paused += left_at - entered_at
        else:
            working += left_at - entered_at
    running = started_at is not None and State(history[-1][0]) not in CLOCK_PAUSED_STATES
    return Clock(working, paused, started_at, None, running=running)


def working_time(history: Sequence[HistoryEntry], now: datetime) -> timedelta:
    """The authority's working time on a case: `case_clock(history, now).working`."""
    return case_clock(history, now).working


def state_before(history: Sequence[HistoryEntry], state: State) -> State | None:
    """The state a case was in just before it last entered `state` (what information_provided and
    reinstate return to), or None when it never did."""
    state = State(state)
    for index in range(len(history) - 1, 0, -1):
        if State(history[index][0]) is state:
            return State(history[index - 1][0])
    return None


def _check_history(history: Sequence[HistoryEntry], now: datetime) -> None:
    previous: datetime | None = None
    for position, (_, entered_at) in enumerate(history):
        if previous is not None and entered_at < previous:
            raise ValueError(f"history[{position}] is earlier than the entry before it; pass the history oldest first")
        previous = entered_at
    if previous is not None and now < previous:
        raise ValueError("now is earlier than the last entry of the history")
