"""The EUC lifecycle: every transition of the table, the refusals, four eyes and the drawdown guard."""

from __future__ import annotations

from datetime import date

import pytest

from attkit.euc import lifecycle
from attkit.euc.lifecycle import Actor, Event, Status, TransitionError

ALLOWED = {
    (Status.DRAFT, Event.ISSUE): Status.ISSUED,
    (Status.ISSUED, Event.USE_PART): Status.PARTIALLY_USED,
    (Status.ISSUED, Event.USE_ALL): Status.USED,
    (Status.PARTIALLY_USED, Event.USE_PART): Status.PARTIALLY_USED,
    (Status.PARTIALLY_USED, Event.USE_ALL): Status.USED,
    (Status.ISSUED, Event.DELIVER): Status.CLOSED,
    (Status.PARTIALLY_USED, Event.DELIVER): Status.CLOSED,
    (Status.USED, Event.DELIVER): Status.CLOSED,
    (Status.ISSUED, Event.REVOKE): Status.REVOKED,
    (Status.PARTIALLY_USED, Event.REVOKE): Status.REVOKED,
    (Status.USED, Event.REVOKE): Status.REVOKED,
    (Status.ISSUED, Event.EXPIRE): Status.EXPIRED,
    (Status.PARTIALLY_USED, Event.EXPIRE): Status.EXPIRED,
    (Status.ISSUED, Event.SUPERSEDE): Status.SUPERSEDED,
    (Status.PARTIALLY_USED, Event.SUPERSEDE): Status.SUPERSEDED,
}


@pytest.mark.parametrize(("status", "event"), [(s, e) for s in Status for e in Event])
def test_every_status_and_event(status, event):
    if (status, event) in ALLOWED:
        assert lifecycle.next_status(status, event) is ALLOWED[(status, event)]
    else:
        with pytest.raises(TransitionError) as info:
            lifecycle.next_status(status, event)
        assert info.value.code == "not_allowed"


def test_final_states_allow_nothing():
    for status in lifecycle.FINAL:
        assert lifecycle.allowed_events(status) == frozenset()


def test_unknown_status_is_refused():
    with pytest.raises(TransitionError):
        lifecycle.next_status("lost", Event.ISSUE)


ISSUER = Actor("u2", "MX", may_issue=True)


def test_the_drafter_cannot_issue():
    with pytest.raises(TransitionError) as info:
        lifecycle.check_issue(certificate_authority="MX", drafted_by="u2", actor=ISSUER)
    assert info.value.code == "four_eyes"


def test_another_issuer_of_the_authority_issues():
    lifecycle.check_issue(certificate_authority="MX", drafted_by="u1", actor=ISSUER)


def test_an_integration_draft_is_issued_by_a_named_issuer():
    lifecycle.check_issue(certificate_authority="MX", drafted_by=None, actor=ISSUER)


@pytest.mark.parametrize("actor", [Actor("u3", "DE", may_issue=True), Actor("u3", "MX", may_issue=False)])
def test_only_an_issuer_of_the_importing_authority_issues(actor):
    with pytest.raises(TransitionError) as info:
        lifecycle.check_issue(certificate_authority="MX", drafted_by="u1", actor=actor)
    assert info.value.code == "not_issuer"


def test_partial_and_full_drawdown():
    ordered = {1: 100, 2: 10}
    assert lifecycle.use_event(ordered, {}, {1: 40}) is Event.USE_PART
    assert lifecycle.use_event(ordered, {1: 40}, {1: 60, 2: 10}) is Event.USE_ALL


def test_drawing_more_than_is_left_is_refused():
    with pytest.raises(TransitionError) as info:
        lifecycle.use_event({1: 100}, {1: 90}, {1: 11})
    assert info.value.code == "exceeded"
    assert info.value.params == {"line": 1, "qty": 11, "left": 10}


@pytest.mark.parametrize(
    ("drawing", "code"), [({}, "empty"), ({1: 0}, "empty"), ({3: 1}, "unknown_line"), ({1: -1}, "negative")]
)
def test_bad_drawdowns(drawing, code):
    with pytest.raises(TransitionError) as info:
        lifecycle.use_event({1: 5}, {}, drawing)
    assert info.value.code == code


def test_a_certificate_past_its_expiry_shows_as_expired():
    assert lifecycle.effective_status(Status.ISSUED, date(2026, 1, 31), date(2026, 2, 1)) is Status.EXPIRED
    assert lifecycle.effective_status(Status.ISSUED, date(2026, 1, 31), date(2026, 1, 31)) is Status.ISSUED
    assert lifecycle.effective_status(Status.CLOSED, date(2026, 1, 31), date(2027, 1, 1)) is Status.CLOSED


def test_next_action():
    assert lifecycle.next_action(Status.DRAFT) == "complete_and_issue"
    assert lifecycle.next_action(Status.USED) == "record_delivery"
    assert lifecycle.next_action(Status.REVOKED) == "none"
