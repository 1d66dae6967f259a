"""Simulation cases staged in the sandbox through the real screening and EUC services, scored, reviewed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attkit.core.permissions import Role
from attkit.euc.models import EndUserCertificate
from attkit.screening.models import ScreeningRun
from attkit.seals import verification
from attkit.training import course, services
from attkit.training.models import SimulationRun

pytestmark = pytest.mark.django_db


def test_a_case_is_staged_as_sandbox_records(trainee, cohort, xt):
    run = services.start_simulation("case-05-screening-false-positive", by=trainee)
    case = course.case(run.case_id)
    assert run.authority == xt
    staged = run.staged
    assert staged["own_state"] == "CR"
    assert [row["party"] for row in staged["screening"]] == [p.name for p in case.parties]
    runs = ScreeningRun.objects.filter(pk__in=[row["run"] for row in staged["screening"]])
    assert runs.count() == len(case.parties)
    assert set(runs.values_list("authority__code", flat=True)) == {"XT"}
    euc = EndUserCertificate.objects.get(pk=staged["euc"]["id"])
    assert euc.authority == xt
    assert euc.seal_text == staged["euc"]["seal"]
    result = verification.verify_text(staged["euc"]["seal"], authority=xt)
    assert result.verdict is verification.Verdict.VALID, result.reasons


def test_a_forged_certificate_is_signed_by_an_unknown_key(trainee, cohort, xt):
    run = services.start_simulation("case-02-forged-euc", by=trainee)
    assert run.staged["euc"]["id"] is None  # a forgery never enters the register
    result = verification.verify_text(run.staged["euc"]["seal"], authority=xt)
    assert result.verdict is verification.Verdict.UNKNOWN_SIGNER


def test_a_reused_certificate_verifies_as_already_used(trainee, cohort, xt):
    run = services.start_simulation("case-03-reused-euc", by=trainee)
    result = verification.verify_text(run.staged["euc"]["seal"], authority=xt)
    assert result.verdict is verification.Verdict.ALREADY_USED


def test_screening_finds_the_listed_broker(trainee, cohort):
    from attkit.screening import services as screening
    from attkit.screening.loaders import UN_SAMPLE, ListKind

    screening.load_list(ListKind.UN.value, UN_SAMPLE)
    run = services.start_simulation("case-04-screening-true-match", by=trainee)
    broker = next(row for row in run.staged["screening"] if row["role"] == "broker")
    assert broker["hits"] >= 1
    club = next(row for row in run.staged["screening"] if row["role"] == "end_user")
    assert club["hits"] == 0
