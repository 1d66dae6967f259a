"""Figures of licensing for reporting's charts: decisions with their working time and criteria."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from attkit.core.models import Authority
from attkit.licensing.models import Case, CaseState, CountersignStatus


def decisions(authority: Authority) -> Iterator[tuple[dt.date, float, str, tuple[str, ...]]]:
    """(decided on, working days on the clock, "approved" or "refused", criteria cited) per decided case."""
    from attkit.licensing.services import clock

    decided = (
        Case.objects.for_authority(authority)
        .filter(decided_at__isnull=False)
        .exclude(state=CaseState.WITHDRAWN)
        .prefetch_related("events", "decisions")
    )
    for case in decided:
        agreed = [d for d in case.decisions.all() if d.status == CountersignStatus.AGREED]
        if not agreed or case.decided_at is None:
            continue
        decision = agreed[-1]
        outcome = "approved" if decision.outcome == "approve" else "refused"
        days = clock(case).working.total_seconds() / 86400
        yield timezone.localdate(case.decided_at), round(days, 2), outcome, tuple(decision.criteria)
