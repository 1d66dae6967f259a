"""When a State Party's ATT reports are due, and whether each is submitted, due or late: a pure function.

Rules (Art. 13 and the Secretariat's practice):
- initial report: within the first year after the Treaty enters into force for the state
  (entry into force 24 December 2014 -> due 23 December 2015);
- annual report: for each calendar year from the first full year after entry into force, due by
  31 May of the following year; a grace period of 7 days is practice before a report counts as late.
attkit never guesses: an obligation whose submissions are not tracked (no source recorded) is UNKNOWN,
not late; without a known date of entry into force nothing is computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

GRACE_DAYS = 7


class Status(StrEnum):
    SUBMITTED = "submitted"
    NOT_YET_DUE = "not_yet_due"  # the reporting period has not ended
    DUE = "due"  # the period ended; the deadline has not passed
    GRACE = "grace"  # past the deadline, within the grace period
    LATE = "late"  # past the deadline and the grace period, no submission recorded
    UNKNOWN = "unknown"  # attkit holds no source on this report


@dataclass(frozen=True)
class Facts:
    entry_into_force: dt.date | None
    initial_report: dt.date | None = None  # date the initial report was submitted, if recorded
    initial_report_recorded: bool = False  # a submission is recorded (its date may be unknown)
    annual_reports: Mapping[int, dt.date | None] | None = None  # year -> submitted on (None: date unknown)
    tracked_from: int | None = None  # first reporting year whose submissions attkit tracks (None: none tracked)


@dataclass(frozen=True)
class Obligation:
    kind: str  # "initial" or "annual"
    year: int | None  # the calendar year reported (annual reports)
    due: dt.date
    status: Status
    submitted_on: dt.date | None = None

    @property
    def open(self) -> bool:
        return self.status in (Status.DUE, Status.GRACE, Status.LATE)


def initial_report_due(entry_into_force: dt.date) -> dt.date:
    return _add_year(entry_into_force) - dt.timedelta(days=1)


def first_annual_year(entry_into_force: dt.date) -> int:
    """The first full calendar year during which the Treaty was in force for the state."""
    return (
        entry_into_force.year if (entry_into_force.month, entry_into_force.day) == (1, 1) else entry_into_force.year + 1
    )


def annual_report_due(year: int) -> dt.date:
    return dt.date(year + 1, 5, 31)


def _add_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _open_status(period_end: dt.date, due: dt.date, today: dt.date, grace_days: int) -> Status:
    if today <= period_end:
        return Status.NOT_YET_DUE
    if today <= due:
        return Status.DUE
    if today <= due + dt.timedelta(days=grace_days):
        return Status.GRACE
    return Status.LATE


def obligations(facts: Facts, today: dt.date, grace_days: int = GRACE_DAYS) -> list[Obligation]:
    """The state's reporting obligations up to today (the initial report, then one annual report a year)."""
    eif = facts.entry_into_force
    if eif is None or eif > today:
        return []
    out: list[Obligation] = []
    due = initial_report_due(eif)
    if facts.initial_report_recorded or facts.initial_report is not None:
        out.append(Obligation("initial", None, due, Status.SUBMITTED, facts.initial_report))
    elif facts.tracked_from is not None and facts.tracked_from <= first_annual_year(eif):
        out.append(Obligation("initial", None, due, _open_status(eif, due, today, grace_days)))
    else:
        out.append(Obligation("initial", None, due, Status.UNKNOWN))
    reports = facts.annual_reports or {}
    for year in range(first_annual_year(eif), today.year + 1):
        due = annual_report_due(year)
        if year in reports:
            out.append(Obligation("annual", year, due, Status.SUBMITTED, reports[year]))
            continue
        status = _open_status(dt.date(year, 12, 31), due, today, grace_days)
        if status == Status.NOT_YET_DUE:
            continue  # the year is still running: nothing to report yet
        if facts.tracked_from is None or year < facts.tracked_from:
            status = Status.UNKNOWN
        out.append(Obligation("annual", year, due, status))
    return out


@dataclass(frozen=True)
class Summary:
    """What the hub's regional view shows for a state."""

    computed: bool  # False: entry into force unknown (or not yet), nothing computed
    late: int
    due: list[Obligation]  # open now and not late (due or in grace)
    latest_annual: Obligation | None
    initial: Obligation | None
    unknown: int

    @property
    def attention(self) -> str:
        """ "late", "due", "ok", "unknown" or "none" (nothing computed): the state's row status."""
        if not self.computed:
            return "none"
        if self.late:
            return "late"
        if self.due:
            return "due"
        if self.unknown:
            return "unknown"
        return "ok"


def summarise(facts: Facts, today: dt.date, grace_days: int = GRACE_DAYS) -> Summary:
    items = obligations(facts, today, grace_days)
    annual = [o for o in items if o.kind == "annual"]
    initial = next((o for o in items if o.kind == "initial"), None)
    return Summary(
        computed=bool(items),
        late=sum(1 for o in items if o.status == Status.LATE),
        due=[o for o in items if o.status in (Status.DUE, Status.GRACE)],
        latest_annual=annual[-1] if annual else None,
        initial=initial,
        unknown=sum(1 for o in items if o.status == Status.UNKNOWN),
    )
