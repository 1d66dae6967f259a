"""When reports are due and late: the pure function behind the hub's regional view."""

from __future__ import annotations

import datetime as dt

import pytest

from attkit.treaty.obligations import (
    Facts,
    Status,
    annual_report_due,
    first_annual_year,
    initial_report_due,
    obligations,
    summarise,
)

EIF = dt.date(2014, 12, 24)


def annual(items, year):
    return next(o for o in items if o.kind == "annual" and o.year == year)


def test_deadlines():
    assert initial_report_due(EIF) == dt.date(2015, 12, 23)  # the Secretariat's date for the first parties
    assert initial_report_due(dt.date(2016, 2, 29)) == dt.date(2017, 2, 27)
    assert first_annual_year(EIF) == 2015
    assert first_annual_year(dt.date(2019, 1, 1)) == 2019
    assert annual_report_due(2025) == dt.date(2026, 5, 31)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (dt.date(2025, 12, 31), None),  # the year is still running: nothing yet
        (dt.date(2026, 1, 1), Status.DUE),
        (dt.date(2026, 5, 31), Status.DUE),
        (dt.date(2026, 6, 1), Status.GRACE),
        (dt.date(2026, 6, 7), Status.GRACE),  # 7 days of grace
        (dt.date(2026, 6, 8), Status.LATE),
    ],
)
def test_annual_report_for_2025(today, status):
    facts = Facts(EIF, initial_report_recorded=True, tracked_from=2015)
    items = obligations(facts, today)
    found = [o.status for o in items if o.kind == "annual" and o.year == 2025]
    assert found == ([status] if status else [])


def test_submitted_reports_are_never_late():
    facts = Facts(
        EIF,
        initial_report=dt.date(2015, 12, 1),
        annual_reports={2015: dt.date(2016, 5, 30), 2016: None},
        tracked_from=2015,
    )
    items = obligations(facts, dt.date(2018, 1, 10))
    assert items[0].kind == "initial" and items[0].status is Status.SUBMITTED
    assert annual(items, 2015).status is Status.SUBMITTED and annual(items, 2015).submitted_on == dt.date(2016, 5, 30)
    assert annual(items, 2016).status is Status.SUBMITTED and annual(items, 2016).submitted_on is None
    assert annual(items, 2017).status is Status.DUE


def test_untracked_years_are_unknown_not_late():
    facts = Facts(EIF, tracked_from=2023)
    items = obligations(facts, dt.date(2026, 11, 28))
    assert items[0].status is Status.UNKNOWN  # initial report: no source
    assert annual(items, 2022).status is Status.UNKNOWN
    assert annual(items, 2023).status is Status.LATE
    assert [o.year for o in items if o.kind == "annual"] == list(range(2015, 2026))


def test_nothing_tracked_means_nothing_is_called_late():
    summary = summarise(Facts(EIF), dt.date(2026, 11, 28))
    assert summary.computed and summary.late == 0 and summary.attention == "unknown"


def test_unknown_entry_into_force_computes_nothing():
    assert obligations(Facts(None), dt.date(2026, 1, 1)) == []
    assert summarise(Facts(None), dt.date(2026, 1, 1)).attention == "none"


def test_entry_into_force_in_the_future_computes_nothing():
    assert obligations(Facts(dt.date(2027, 3, 1), tracked_from=2027), dt.date(2026, 1, 1)) == []


def test_initial_report_of_a_late_party():
    eif = dt.date(2025, 1, 13)  # Colombia
    facts = Facts(eif, tracked_from=2025)
    assert obligations(facts, dt.date(2025, 6, 1))[0].status is Status.DUE
    assert obligations(facts, dt.date(2026, 1, 12))[0].status is Status.DUE
    assert obligations(facts, dt.date(2026, 1, 14))[0].status is Status.GRACE
    assert obligations(facts, dt.date(2026, 1, 25))[0].status is Status.LATE
    # the first annual report covers the first full calendar year in force: 2026, due 31 May 2027
    assert [o.year for o in obligations(facts, dt.date(2026, 1, 25)) if o.kind == "annual"] == []
    assert [(o.year, o.due) for o in obligations(facts, dt.date(2027, 2, 1)) if o.kind == "annual"] == [
        (2026, dt.date(2027, 5, 31))
    ]


def test_summary_for_the_hub():
    facts = Facts(EIF, initial_report_recorded=True, annual_reports=dict.fromkeys(range(2015, 2024)), tracked_from=2015)
    summary = summarise(facts, dt.date(2026, 5, 1))
    assert summary.late == 1  # 2024, due 31 May 2025
    assert [o.year for o in summary.due] == [2025]
    assert summary.latest_annual is not None and summary.latest_annual.year == 2025
    assert summary.attention == "late"
    up_to_date = Facts(
        EIF, initial_report_recorded=True, annual_reports=dict.fromkeys(range(2015, 2026)), tracked_from=2015
    )
    assert summarise(up_to_date, dt.date(2026, 7, 1)).attention == "ok"
