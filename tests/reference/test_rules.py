"""What each embargo scope means for a transfer to an end user in the target country."""

from __future__ import annotations

import pytest

from attkit.reference.rules import Scope, bars_transfer


@pytest.mark.parametrize("state", [True, False])
def test_a_full_embargo_bars_every_end_user(state):
    assert bars_transfer(Scope.FULL, end_user_is_state=state)


@pytest.mark.parametrize("state", [True, False])
def test_a_partial_embargo_bars_until_a_person_records_the_exemption(state):
    assert bars_transfer("partial", end_user_is_state=state)


def test_an_embargo_on_non_state_actors_spares_the_state():
    assert not bars_transfer(Scope.NON_STATE_ACTORS, end_user_is_state=True)
    assert bars_transfer(Scope.NON_STATE_ACTORS, end_user_is_state=False)


@pytest.mark.parametrize("state", [True, False])
def test_a_list_based_embargo_leaves_the_country_to_screening(state):
    assert not bars_transfer(Scope.LISTED_ONLY, end_user_is_state=state)


def test_an_unknown_scope_is_an_error():
    with pytest.raises(ValueError, match="everything"):
        bars_transfer("everything", end_user_is_state=True)
