"""Simulation cases staged in the sandbox through the real screening and EUC services, scored, reviewed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from attkit.core.permissions import Role
from attkit.euc.models import EndUserCertificate
from attkit.screening.models import ScreeningRun
from attkit.seals import verification
from attkit.training import course, sandbox, services
from attkit.training.models import SimulationRun

pytestmark = pytest.mark.django_db


def test_a_case_is_staged_as_sandbox_records(trainee, cohort, xt):
    run = services.start_simulation("case-02-forged-euc", by=trainee)
    case = course.case(run.case_id)
    assert run.authority == xt
    staged = run.staged
    assert staged["own_state"] == "CR"
    assert [row["party"] for row in staged["screening"]] == [p.name for p in case.parties]
    runs = ScreeningRun.objects.filter(pk__in=[row["run"] for row in staged["screening"]])
    assert runs.count() == len(case.parties)
    assert set(runs.values_list("authority__code", flat=True)) == {"XT"}


def test_a_genuine_certificate_is_issued_in_the_sandbox(trainee, cohort, xt):
    run = services.start_simulation("case-05-screening-false-positive", by=trainee)
    staged = run.staged
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
    case = sandbox.licensing_case(run)  # screened when its application was submitted
    assert case.hits.filter(party__role="broker").exists()
    assert not case.hits.filter(party__role="end_user").exists()
    assert case.flags.filter(code="screening_hits_pending", status="open").exists()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_working_a_case_through_the_pages(trainee, cohort, instructor):
    client = _client(trainee)
    listing = client.get("/training/simulation/").content.decode()
    assert "case-03-reused-euc" in listing
    started = client.post("/training/simulation/cases/case-03-reused-euc/start/")
    assert started.status_code == 302
    run = SimulationRun.objects.get(trainee=trainee)
    file_page = client.get(started["Location"]).content.decode()
    assert run.staged["euc"]["seal"] in file_page
    assert "Intendencia Central de Policía" in file_page
    # the answer is not in the case file before the decision
    assert "already used for an earlier" not in file_page
    # the trainee's account cannot open the verification page, so the case file runs the same service
    verified = client.get(f"/training/simulation/{run.pk}/?verify=seal").content.decode()
    assert 'data-verdict="already_used"' in verified
    # the decision form refuses an empty decision, then scores the model answer
    assert client.post(f"/training/simulation/{run.pk}/decision/", {}).status_code == 400
    done = client.post(
        f"/training/simulation/{run.pk}/decision/",
        {"decision": "refuse", "criteria": ["11"], "reasons": "The certificate was already used and closed."},
    )
    assert done.status_code == 302
    run.refresh_from_db()
    assert run.is_submitted and run.passed and run.score == 1.0
    result = client.get(f"/training/simulation/{run.pk}/").content.decode()
    assert 'data-passed="true"' in result
    case = course.case(run.case_id)
    assert case.model_answer.rationale.en[:40] in result.replace("&#x27;", "'")
    # the instructor reviews and comments; the trainee sees the comment
    teacher = _client(instructor)
    cohort_page = teacher.get(f"/training/cohorts/{cohort.pk}/").content.decode()
    assert f"/training/reviews/{run.pk}/" in cohort_page
    assert teacher.post(f"/training/reviews/{run.pk}/", {"text": ""}).status_code == 400
    assert teacher.post(f"/training/reviews/{run.pk}/", {"text": "Right: the register closed it."}).status_code == 302
    assert "Right: the register closed it." in client.get(f"/training/simulation/{run.pk}/").content.decode()
    # trying again opens a new run
    again = client.post("/training/simulation/cases/case-03-reused-euc/start/")
    assert again["Location"] != started["Location"]


def test_a_wrong_decision_scores_low(trainee, cohort):
    run = services.start_simulation("case-02-forged-euc", by=trainee)
    scored = services.submit_simulation(
        run.pk, by=trainee, decision="approve", criteria=["11", "7.4"], reasons="The police need the guns."
    )
    assert not scored.passed
    assert scored.points == 3  # 11 credited (4) minus one unsupported criterion (1), nothing for the decision
    with pytest.raises(ValidationError):
        services.submit_simulation(run.pk, by=trainee, decision="approve", criteria=["6.1"], reasons="again")


def test_the_decision_needs_known_criteria_and_reasons(trainee, cohort):
    run = services.start_simulation("case-01-embargo-haiti", by=trainee)
    with pytest.raises(ValidationError) as refused:
        services.submit_simulation(run.pk, by=trainee, decision="maybe", criteria=["99"], reasons="")
    assert set(refused.value.message_dict) == {"decision", "criteria", "reasons"}


def test_simulation_needs_the_sandbox_and_a_state_to_play(make_user, xt):
    official = make_user("MX", Role.LICENSING_OFFICER)
    with pytest.raises(PermissionDenied):
        services.start_simulation("case-01-embargo-haiti", by=official)
    page = _client(official).get("/training/simulation/").content.decode()
    assert 'data-testid="not-sandbox"' in page
    assert _client(official).post("/training/simulation/cases/case-01-embargo-haiti/start/").status_code == 403
    loner = make_user(xt, Role.TRAINEE)  # in no cohort, and XT is no ISO country
    with pytest.raises(ValidationError):
        services.start_simulation("case-01-embargo-haiti", by=loner)


def test_only_instructors_comment(trainee, cohort, pass_a_case):
    run = pass_a_case(trainee)
    with pytest.raises(PermissionDenied):
        services.comment_simulation(run.pk, by=trainee, text="Well done, me.")
