"""What an arms embargo's scope means for a transfer to its target country (no Django)."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """The scope column of the embargo files."""

    FULL = "full"  # the whole territory, the government included
    PARTIAL = "partial"  # the territory, with exemptions (e.g. named government forces, a region)
    NON_STATE_ACTORS = "non_state_actors"  # everyone but the government and its forces
    LISTED_ONLY = "listed_only"  # only designated persons and entities, wherever they are


def bars_transfer(scope: Scope | str, *, end_user_is_state: bool) -> bool:
    """Whether a transfer to an end user in the target country is caught by the embargo.

    A partial embargo counts as caught: its exemptions (a region, named forces) are for a person to
    establish and record, never for the software to presume. A list-based embargo does not bar the
    country; it bars the designated persons, which name screening finds.
    """
    scope = Scope(scope)
    if scope is Scope.LISTED_ONLY:
        return False
    if scope is Scope.NON_STATE_ACTORS:
        return not end_user_is_state
    return True
