"""The licensing state machine: every cell of the state x event table, roles, guards and the case clock."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from attkit.assessment.rules import Criterion, Findings, Outcome, Rating
from attkit.licensing import workflow
from attkit.licensing.workflow import (
    EVENT_ROLES,
    TRANSITIONS,
    Context,
    Event,
    GuardFailed,
    IllegalTransition,
    Role,
    RoleNotPermitted,
    State,
    Transition,
    allowed_events,
    case_clock,
    state_before,
    transition,
    working_time,
)

OFFICER, SUPERVISOR = "officer-1", "supervisor-1"
CLEAN = Findings()


def good_context(event: Event, target: State) -> Context:
    """A context that satisfies every guard of `event` leading to `target`."""
    outcome = Outcome.REFUSE if target is State.REFUSED else Outcome.APPROVE
    is_countersign = event in (Event.COUNTERSIGN_AGREE, Event.COUNTERSIGN_DISAGREE)
    return Context(
        actor_id=SUPERVISOR if is_countersign else OFFICER,
        proposer_id=OFFICER,
        proposed_outcome=outcome,
        findings=CLEAN,
        resume_state=target,
        reason="recorded reason",
    )


def a_role_for(event: Event) -> Role:
    return sorted(EVENT_ROLES[event])[0]


LEGAL = [(s, e, t) for (s, e), targets in TRANSITIONS.items() for t in targets]
ILLEGAL = [(s, e) for s in State for e in Event if (s, e) not in TRANSITIONS]


def test_the_table_covers_every_state_and_event() -> None:
    assert len(LEGAL) + len(ILLEGAL) == len(State) * len(Event) + sum(len(t) - 1 for t in TRANSITIONS.values())
    assert set(EVENT_ROLES) == set(Event)
    assert {e for (_, e) in TRANSITIONS} == set(Event)


@pytest.mark.parametrize(("state", "event", "target"), LEGAL, ids=str)
def test_every_declared_transition_is_legal(state: State, event: Event, target: State) -> None:
    for role in EVENT_ROLES[event]:
        result = transition(state, event, role=role, context=good_context(event, target))
        assert result.new_state is target
        assert (result.old_state, result.event, result.role) == (state, event, role)


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=str)
def test_every_undeclared_transition_is_illegal(state: State, event: Event) -> None:
    for role in Role:
        with pytest.raises(IllegalTransition) as err:
            transition(state, event, role=role, context=good_context(event, State.APPROVED))
        assert err.value.code == "not_allowed_in_state"
        assert type(err.value) is IllegalTransition


@pytest.mark.parametrize(
    ("state", "event", "role"),
    [(s, e, r) for (s, e) in TRANSITIONS for r in Role if r not in EVENT_ROLES[e]],
    ids=str,
)
def test_only_the_declared_roles_may_fire_an_event(state: State, event: Event, role: Role) -> None:
    target = TRANSITIONS[(state, event)][0]
    with pytest.raises(RoleNotPermitted) as err:
        transition(state, event, role=role, context=good_context(event, target))
    assert err.value.code == "role_not_permitted"


def test_roles_follow_the_division_of_work() -> None:
    def fired_by(role: Role) -> set[Event]:
        return {e for e, roles in EVENT_ROLES.items() if role in roles}

    assert fired_by(Role.APPLICANT) == {Event.SUBMIT, Event.WITHDRAW, Event.INFORMATION_PROVIDED}
    assert fired_by(Role.LICENSING_OFFICER) == {
        Event.START_SCREENING,
        Event.SCREENING_CLEAR,
        Event.REQUEST_INFORMATION,
        Event.PROPOSE_DECISION,
        Event.ISSUE_LICENCE,
    }
    assert fired_by(Role.SUPERVISOR) == {
        Event.COUNTERSIGN_AGREE,
        Event.COUNTERSIGN_DISAGREE,
        Event.SUSPEND,
        Event.REINSTATE,
        Event.REVOKE,
    }
    assert fired_by(Role.CUSTOMS_OFFICER) == {Event.RECORD_SHIPMENT}
    assert fired_by(Role.SYSTEM) == {Event.START_SCREENING, Event.EXPIRE, Event.EXHAUST}


def test_terminal_states_have_no_way_out_and_others_do() -> None:
    for state in State:
        assert (allowed_events(state) == ()) is workflow.is_terminal(state), state


def test_every_state_is_reachable_from_draft() -> None:
    seen, queue = {State.DRAFT}, deque([State.DRAFT])
    while queue:
        current = queue.popleft()
        for (source, _), targets in TRANSITIONS.items():
            if source is current:
                for target in set(targets) - seen:
                    seen.add(target)
                    queue.append(target)
    assert seen == set(State)


def test_allowed_events_for_the_ui() -> None:
    assert allowed_events(State.DRAFT, Role.APPLICANT) == (Event.SUBMIT, Event.WITHDRAW)
    assert allowed_events(State.DRAFT, Role.SUPERVISOR) == ()
    assert allowed_events(State.IN_USE, Role.CUSTOMS_OFFICER) == (Event.RECORD_SHIPMENT,)
    assert allowed_events(State.IN_USE, Role.SUPERVISOR) == (Event.SUSPEND, Event.REVOKE)
    assert allowed_events("awaiting_countersignature", "supervisor") == (  # type: ignore[arg-type]
        Event.COUNTERSIGN_AGREE,
        Event.COUNTERSIGN_DISAGREE,
    )
    for state in State:
        assert set(allowed_events(state)) == {e for (s, e) in TRANSITIONS if s is state}


def test_plain_strings_from_a_form_or_the_database_are_accepted() -> None:
    result = transition("draft", "submit", role="applicant")  # type: ignore[arg-type]
    assert result.new_state is State.SUBMITTED


def test_the_illegal_message_says_what_and_why_in_english() -> None:
    with pytest.raises(IllegalTransition) as err:
        transition(State.REFUSED, Event.ISSUE_LICENCE, role=Role.LICENSING_OFFICER)
    assert (
        str(err.value)
        == "You cannot issue the licence while the case is refused. Possible now: nothing (the case is closed)."
    )
    assert err.value.params["state"] == "refused"
    with pytest.raises(IllegalTransition) as err:
        transition(State.SUSPENDED, Event.RECORD_SHIPMENT, role=Role.CUSTOMS_OFFICER)
    assert "licence suspended" in err.value.message
    assert "reinstate the licence" in err.value.message


def test_a_role_error_names_the_role_and_the_action() -> None:
    with pytest.raises(RoleNotPermitted) as err:
        transition(State.APPROVED, Event.ISSUE_LICENCE, role=Role.APPLICANT)
    assert err.value.message == "The applicant role cannot issue the licence; that is for: licensing officer."


# Guards -----------------------------------------------------------------------------------------


def test_unresolved_blocking_flags_block_screening_clear() -> None:
    ctx = Context(unresolved_blocking_flags=("un_embargo", "screening_hits_pending"))
    with pytest.raises(GuardFailed) as err:
        transition(State.SCREENING, Event.SCREENING_CLEAR, role=Role.LICENSING_OFFICER, context=ctx)
    assert err.value.code == "blocking_flags"
    assert "un_embargo, screening_hits_pending" in err.value.message
    ok = transition(State.SCREENING, Event.SCREENING_CLEAR, role=Role.LICENSING_OFFICER)
    assert ok.new_state is State.UNDER_ASSESSMENT


def test_unresolved_blocking_flags_block_an_approval_but_not_a_refusal() -> None:
    flagged = Context(actor_id=OFFICER, findings=CLEAN, unresolved_blocking_flags=("un_embargo",))
    with pytest.raises(GuardFailed, match="blocking flags"):
        transition(
            State.UNDER_ASSESSMENT,
            Event.PROPOSE_DECISION,
            role=Role.LICENSING_OFFICER,
            context=replace(flagged, proposed_outcome=Outcome.APPROVE),
        )
    refusal = transition(
        State.UNDER_ASSESSMENT,
        Event.PROPOSE_DECISION,
        role=Role.LICENSING_OFFICER,
        context=replace(flagged, proposed_outcome=Outcome.REFUSE),
    )
    assert refusal.new_state is State.AWAITING_COUNTERSIGNATURE
    assert refusal.outcome is Outcome.REFUSE


def test_unresolved_blocking_flags_block_issuing_the_licence() -> None:
    with pytest.raises(GuardFailed, match="blocking flags"):
        transition(
            State.APPROVED,
            Event.ISSUE_LICENCE,
            role=Role.LICENSING_OFFICER,
            context=Context(unresolved_blocking_flags=("denial_same_end_user",)),
        )


def test_a_proposal_states_its_outcome_and_its_officer() -> None:
    with pytest.raises(GuardFailed) as err:
        transition(
            State.UNDER_ASSESSMENT,
            Event.PROPOSE_DECISION,
            role=Role.LICENSING_OFFICER,
            context=Context(actor_id=OFFICER),
        )
    assert err.value.code == "outcome_missing"
    with pytest.raises(GuardFailed) as err:
        transition(
            State.UNDER_ASSESSMENT,
            Event.PROPOSE_DECISION,
            role=Role.LICENSING_OFFICER,
            context=Context(proposed_outcome=Outcome.REFUSE),
        )
    assert err.value.code == "actor_unknown"


def test_an_approval_needs_an_assessment() -> None:
    with pytest.raises(GuardFailed) as err:
        transition(
            State.UNDER_ASSESSMENT,
            Event.PROPOSE_DECISION,
            role=Role.LICENSING_OFFICER,
            context=Context(actor_id=OFFICER, proposed_outcome=Outcome.APPROVE),
        )
    assert err.value.code == "assessment_missing"


def test_an_approval_contrary_to_an_article6_gate_cannot_be_proposed() -> None:
    embargoed = Findings(article6_gates=frozenset({Criterion.UNSC_MEASURES}))
    with pytest.raises(GuardFailed) as err:
        transition(
            State.UNDER_ASSESSMENT,
            Event.PROPOSE_DECISION,
            role=Role.LICENSING_OFFICER,
            context=Context(actor_id=OFFICER, proposed_outcome=Outcome.APPROVE, findings=embargoed),
        )
    assert err.value.code == "contrary_to_assessment"
    assert "ATT-6.1" in err.value.message


def test_an_approval_against_a_declared_overriding_risk_names_art_7_3() -> None:
    with pytest.raises(GuardFailed, match=r"overriding risk under Art\. 7\(3\)"):
        transition(
            State.UNDER_ASSESSMENT,
            Event.PROPOSE_DECISION,
            role=Role.LICENSING_OFFICER,
            context=Context(
                actor_id=OFFICER, proposed_outcome=Outcome.APPROVE, findings=Findings(overriding_risk=True)
            ),
        )


def countersign(event: Event, **kwargs: object) -> Transition:
    defaults: dict[str, object] = {
        "actor_id": SUPERVISOR,
        "proposer_id": OFFICER,
        "proposed_outcome": Outcome.APPROVE,
        "findings": CLEAN,
    }
    defaults.update(kwargs)
    return transition(
        State.AWAITING_COUNTERSIGNATURE,
        event,
        role=Role.SUPERVISOR,
        context=Context(**defaults),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("event", [Event.COUNTERSIGN_AGREE, Event.COUNTERSIGN_DISAGREE])
def test_an_officer_cannot_countersign_their_own_decision(event: Event) -> None:
    with pytest.raises(GuardFailed) as err:
        countersign(event, actor_id=OFFICER, reason="x")
    assert err.value.code == "own_decision"
    assert err.value.message == "You cannot countersign your own decision."


@pytest.mark.parametrize(("actor", "proposer"), [(None, OFFICER), (SUPERVISOR, None), (None, None)])
def test_countersigning_needs_both_people_identified(actor: str | None, proposer: str | None) -> None:
    with pytest.raises(GuardFailed) as err:
        countersign(Event.COUNTERSIGN_AGREE, actor_id=actor, proposer_id=proposer)
    assert err.value.code == "actor_unknown"


def test_countersigning_an_approval_contrary_to_a_required_refusal_is_refused() -> None:
    risky = Findings(residual={Criterion.IHRL: Rating.HIGH})
    with pytest.raises(GuardFailed) as err:
        countersign(Event.COUNTERSIGN_AGREE, findings=risky)
    assert err.value.code == "contrary_to_assessment"
    assert "ATT-7.1.b.ii" in err.value.message


def test_countersigning_agreement_follows_the_proposed_outcome() -> None:
    assert countersign(Event.COUNTERSIGN_AGREE).new_state is State.APPROVED
    refused = countersign(Event.COUNTERSIGN_AGREE, proposed_outcome=Outcome.REFUSE, findings=None)
    assert refused.new_state is State.REFUSED
    assert refused.outcome is Outcome.REFUSE
    with pytest.raises(GuardFailed, match="proposed decision"):
        countersign(Event.COUNTERSIGN_AGREE, proposed_outcome=None)


def test_countersigning_an_approval_with_a_blocking_flag_is_refused() -> None:
    with pytest.raises(GuardFailed, match="blocking flags"):
        countersign(Event.COUNTERSIGN_AGREE, unresolved_blocking_flags=("un_embargo",))


def test_disagreement_returns_the_case_and_is_recorded() -> None:
    with pytest.raises(GuardFailed) as err:
        countersign(Event.COUNTERSIGN_DISAGREE, reason="   ")
    assert err.value.code == "reason_required"
    result = countersign(Event.COUNTERSIGN_DISAGREE, reason=" Diversion risk under-rated. ")
    assert result.new_state is State.UNDER_ASSESSMENT
    assert result.disagreement == "Diversion risk under-rated."
    assert countersign(Event.COUNTERSIGN_AGREE).disagreement is None


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (State.SCREENING, Event.REQUEST_INFORMATION),
        (State.IN_USE, Event.SUSPEND),
        (State.SUSPENDED, Event.REINSTATE),
        (State.LICENCE_ISSUED, Event.REVOKE),
    ],
)
def test_dangerous_events_need_a_reason(state: State, event: Event) -> None:
    ctx = Context(resume_state=State.IN_USE)
    with pytest.raises(GuardFailed) as err:
        transition(state, event, role=a_role_for(event), context=ctx)
    assert err.value.code == "reason_required"


def test_a_revocation_under_art_7_7_keeps_its_reason() -> None:
    result = transition(
        State.IN_USE, Event.REVOKE, role=Role.SUPERVISOR, context=Context(actor_id=SUPERVISOR, reason="New UN report")
    )
    assert (result.new_state, result.reason, result.actor_id) == (State.REVOKED, "New UN report", SUPERVISOR)


@pytest.mark.parametrize("resume", [None, State.APPROVED, State.DRAFT])
def test_information_provided_needs_a_valid_state_to_return_to(resume: State | None) -> None:
    with pytest.raises(GuardFailed) as err:
        transition(
            State.AWAITING_INFORMATION,
            Event.INFORMATION_PROVIDED,
            role=Role.APPLICANT,
            context=Context(resume_state=resume),
        )
    assert err.value.code == "resume_state_invalid"


@pytest.mark.parametrize("resume", [State.SCREENING, State.UNDER_ASSESSMENT])
def test_information_provided_returns_where_the_case_was(resume: State) -> None:
    result = transition(
        State.AWAITING_INFORMATION,
        Event.INFORMATION_PROVIDED,
        role=Role.APPLICANT,
        context=Context(resume_state=resume),
    )
    assert result.new_state is resume
    assert result.resumes_clock
    assert not result.pauses_clock


def test_reinstating_returns_to_the_licence_state() -> None:
    for resume in (State.LICENCE_ISSUED, State.IN_USE):
        result = transition(
            State.SUSPENDED,
            Event.REINSTATE,
            role=Role.SUPERVISOR,
            context=Context(resume_state=resume, reason="cleared"),
        )
        assert result.new_state is resume
    with pytest.raises(GuardFailed):
        transition(
            State.SUSPENDED,
            Event.REINSTATE,
            role=Role.SUPERVISOR,
            context=Context(resume_state=State.APPROVED, reason="x"),
        )


def test_a_request_for_information_pauses_the_clock() -> None:
    result = transition(
        State.UNDER_ASSESSMENT,
        Event.REQUEST_INFORMATION,
        role=Role.LICENSING_OFFICER,
        context=Context(reason="Send the EUC"),
    )
    assert result.new_state is State.AWAITING_INFORMATION
    assert result.pauses_clock
    assert not result.resumes_clock


def test_shipments_keep_the_licence_in_use() -> None:
    first = transition(State.LICENCE_ISSUED, Event.RECORD_SHIPMENT, role=Role.CUSTOMS_OFFICER)
    second = transition(first.new_state, Event.RECORD_SHIPMENT, role=Role.CUSTOMS_OFFICER)
    assert (first.new_state, second.new_state) == (State.IN_USE, State.IN_USE)
    assert transition(State.IN_USE, Event.EXHAUST, role=Role.SYSTEM).new_state is State.EXHAUSTED


def test_the_export_journey_end_to_end() -> None:
    steps: list[tuple[Event, Role, Context]] = [
        (Event.SUBMIT, Role.APPLICANT, Context()),
        (Event.START_SCREENING, Role.SYSTEM, Context()),
        (Event.SCREENING_CLEAR, Role.LICENSING_OFFICER, Context()),
        (
            Event.PROPOSE_DECISION,
            Role.LICENSING_OFFICER,
            Context(actor_id=OFFICER, proposed_outcome=Outcome.APPROVE, findings=CLEAN),
        ),
        (
            Event.COUNTERSIGN_AGREE,
            Role.SUPERVISOR,
            Context(actor_id=SUPERVISOR, proposer_id=OFFICER, proposed_outcome=Outcome.APPROVE, findings=CLEAN),
        ),
        (Event.ISSUE_LICENCE, Role.LICENSING_OFFICER, Context()),
        (Event.RECORD_SHIPMENT, Role.CUSTOMS_OFFICER, Context()),
        (Event.RECORD_SHIPMENT, Role.CUSTOMS_OFFICER, Context()),
        (Event.EXHAUST, Role.SYSTEM, Context()),
    ]
    state = State.DRAFT
    for event, role, ctx in steps:
        state = transition(state, event, role=role, context=ctx).new_state
    assert state is State.EXHAUSTED


def test_the_art_6_1_refusal_journey() -> None:
    embargoed = Findings(article6_gates=frozenset({Criterion.UNSC_MEASURES}))
    state = transition(State.SCREENING, Event.SCREENING_CLEAR, role=Role.LICENSING_OFFICER).new_state
    proposal = Context(actor_id=OFFICER, proposed_outcome=Outcome.REFUSE, findings=embargoed)
    state = transition(state, Event.PROPOSE_DECISION, role=Role.LICENSING_OFFICER, context=proposal).new_state
    agree = Context(actor_id=SUPERVISOR, proposer_id=OFFICER, proposed_outcome=Outcome.REFUSE, findings=embargoed)
    assert transition(state, Event.COUNTERSIGN_AGREE, role=Role.SUPERVISOR, context=agree).new_state is State.REFUSED


# The clock --------------------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_the_clock_does_not_count_time_awaiting_information() -> None:
    history = [
        (State.DRAFT, at(-48)),
        (State.SUBMITTED, at(0)),
        (State.SCREENING, at(1)),
        (State.AWAITING_INFORMATION, at(3)),
        (State.SCREENING, at(27)),
        (State.UNDER_ASSESSMENT, at(28)),
        (State.AWAITING_INFORMATION, at(30)),
        (State.UNDER_ASSESSMENT, at(40)),
        (State.AWAITING_COUNTERSIGNATURE, at(44)),
        (State.APPROVED, at(46)),
        (State.LICENCE_ISSUED, at(47)),
    ]
    clock = case_clock(history, now=at(500))
    assert clock.paused == timedelta(hours=34)
    assert clock.working == timedelta(hours=12)
    assert (clock.started_at, clock.stopped_at, clock.running) == (at(0), at(46), False)
    assert working_time(history, at(500)) == timedelta(hours=12)


def test_a_running_clock_counts_up_to_now() -> None:
    history = [(State.SUBMITTED, at(0)), (State.SCREENING, at(2))]
    clock = case_clock(history, now=at(5))
    assert (clock.working, clock.running, clock.stopped_at) == (timedelta(hours=5), True, None)


def test_a_paused_clock_stands_still() -> None:
    history = [(State.SUBMITTED, at(0)), (State.AWAITING_INFORMATION, at(2))]
    for now in (at(3), at(300)):
        clock = case_clock(history, now=now)
        assert clock.working == timedelta(hours=2)
        assert not clock.running
    assert case_clock(history, now=at(300)).paused == timedelta(hours=298)


def test_the_clock_has_not_started_on_a_draft() -> None:
    clock = case_clock([(State.DRAFT, at(0))], now=at(10))
    assert (clock.working, clock.started_at, clock.running) == (timedelta(), None, False)
    assert case_clock([], now=at(0)).working == timedelta()


def test_the_clock_stops_at_withdrawal_and_refusal() -> None:
    for stop in (State.WITHDRAWN, State.REFUSED):
        clock = case_clock([(State.SUBMITTED, at(0)), (State.SCREENING, at(1)), (stop, at(4))], now=at(100))
        assert clock.working == timedelta(hours=4)
        assert clock.stopped_at == at(4)


def test_the_clock_refuses_a_history_out_of_order() -> None:
    with pytest.raises(ValueError, match=r"history\[1\]"):
        case_clock([(State.SUBMITTED, at(5)), (State.SCREENING, at(1))], now=at(10))
    with pytest.raises(ValueError, match="now is earlier"):
        case_clock([(State.SUBMITTED, at(5))], now=at(1))


def test_state_before_finds_where_to_resume() -> None:
    history = [
        (State.SUBMITTED, at(0)),
        (State.SCREENING, at(1)),
        (State.AWAITING_INFORMATION, at(2)),
        (State.SCREENING, at(3)),
        (State.UNDER_ASSESSMENT, at(4)),
        (State.AWAITING_INFORMATION, at(5)),
    ]
    assert state_before(history, State.AWAITING_INFORMATION) is State.UNDER_ASSESSMENT
    assert state_before(history, State.SUSPENDED) is None
