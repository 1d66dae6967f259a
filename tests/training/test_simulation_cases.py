"""Licensing simulation cases: staged as real applications in the sandbox, worked on the real case services,
scored from what the trainee did there; never reaching a real authority's cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from attkit.assessment import services as assessment
from attkit.core.permissions import Role
from attkit.licensing import services as licensing
from attkit.licensing.models import Case, CaseState
from attkit.training import course, sandbox, services
from attkit.training.models import SimulationRun
from tests.training.casework import answer_everything, propose_the_model_answer, settle_screening

pytestmark = pytest.mark.django_db

LICENSING_CASES = [c.id for c in course.cases() if sandbox.works_on_case(c)]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("case_id", LICENSING_CASES)
def test_every_licensing_case_is_staged_as_a_submitted_application_in_the_sandbox(case_id, trainee, cohort, xt):
    run = services.start_simulation(case_id, by=trainee)
    case = course.case(case_id)
    staged = run.staged["licensing"]
    real = Case.objects.get(pk=staged["id"])
    assert real.authority == xt
    assert real.applicant.authority == xt and real.created_by.is_system
    assert real.state == CaseState.SCREENING  # submitted: in the officers' queue
    assert real.destination_country == case.destination and real.origin_country == "CR"
    names = set(real.parties.values_list("name", flat=True))
    assert {p.name for p in case.parties if p.role != "exporter"} <= names
    assert real.goods.count() == len(case.goods)
    assert real.euc_serial == run.staged["euc"]["serial"] and real.euc_verdict == "valid"
    assert sorted(staged["flags"]) == sorted(real.flags.values_list("code", flat=True))
    assert licensing.cases_for(trainee).filter(pk=real.pk).exists()
    assert not Case.objects.exclude(authority=xt).exists()


def test_the_embargo_is_flagged_and_holds_the_case(trainee, cohort):
    run = services.start_simulation("case-01-embargo-haiti", by=trainee)
    real = sandbox.licensing_case(run)
    blocking = [f.code for f in real.flags.filter(severity="blocking")]
    assert any(code.startswith("un_embargo") for code in blocking), blocking
    with pytest.raises(ValidationError):
        licensing.screening_clear(real.pk, by=trainee)


def test_verifier_cases_stage_no_licensing_case(trainee, cohort):
    run = services.start_simulation("case-03-reused-euc", by=trainee)
    assert run.staged["licensing"] is None
    assert not Case.objects.exists()


def test_scoring_reads_the_refusal_proposed_on_the_real_case(trainee, cohort, instructor):
    run = services.start_simulation("case-01-embargo-haiti", by=trainee)
    real = sandbox.licensing_case(run)
    with pytest.raises(ValidationError):  # nothing proposed yet
        services.submit_case_work(run.pk, by=trainee)
    with pytest.raises(ValidationError):  # the case file's own decision form is not the way for this case
        services.submit_simulation(run.pk, by=trainee, decision="refuse", criteria=["6.1"], reasons="Embargo.")
    settle_screening(real, trainee)
    answer_everything(real, trainee)
    licensing.propose_decision(
        real.pk, by=trainee, outcome="refuse", criteria=["ATT-6.1"], reasons="UN arms embargo on Haiti."
    )
    real.refresh_from_db()
    assert real.state == CaseState.AWAITING_COUNTERSIGNATURE  # four eyes: the trainee cannot countersign
    with pytest.raises(PermissionDenied):
        licensing.countersign(real.pk, by=trainee, agree=True)
    scored = services.submit_case_work(run.pk, by=trainee)
    assert (scored.decision, scored.criteria) == ("refuse", ["6.1"])
    assert scored.passed and scored.score == 1.0
    assert "UN arms embargo on Haiti." in scored.reasons
    real.refresh_from_db()
    assert real.state == CaseState.WITHDRAWN  # closed: the queue keeps only cases being worked
    assert real.decisions.get().proposed_by == trainee
    comment = services.comment_simulation(scored.pk, by=instructor, text="Right: the embargo settles it.")
    assert comment.run == scored
    review = _client(instructor).get(f"/training/reviews/{scored.pk}/").content.decode()
    assert real.reference in review and f"/cases/{real.pk}/" in review
    assert _client(instructor).get(f"/cases/{real.pk}/").status_code == 200  # the instructor reads the real case


def test_an_approval_is_scored_on_the_criteria_weighed_in_the_assessment(trainee, cohort):
    run = services.start_simulation("case-05-screening-false-positive", by=trainee)
    real = sandbox.licensing_case(run)
    settle_screening(real, trainee)
    answer_everything(
        real,
        trainee,
        art6__1__other_party=("no", "The consignee is not the listed person: other date of birth."),
        art11__end_user_reliability=("low", "A prison service armoury with a genuine certificate."),
        prop__quantity_need=("none", "Forty pistols for the armoury's guards."),
    )
    licensing.propose_decision(real.pk, by=trainee, outcome="approve", reasons="No risk found.", conditions="DVC.")
    scored = services.submit_case_work(run.pk, by=trainee)
    assert scored.decision == "approve"
    assert sorted(scored.criteria) == ["11", "6.1", "proportionality"]
    assert scored.passed and scored.score == 1.0


def test_a_wrong_decision_on_the_real_case_scores_low(trainee, cohort):
    run = services.start_simulation("case-05-screening-false-positive", by=trainee)
    real = sandbox.licensing_case(run)
    settle_screening(real, trainee)
    answer_everything(real, trainee, art11__consignee_reliability=("high", "A named person receives the goods."))
    licensing.propose_decision(real.pk, by=trainee, outcome="refuse", criteria=["ATT-11"], reasons="Diversion.")
    scored = services.submit_case_work(run.pk, by=trainee)
    assert (scored.decision, scored.criteria) == ("refuse", ["11"])
    assert not scored.passed
    case = course.case("case-05-screening-false-positive")
    assert scored.points == case.rubric.criteria_points["11"]  # no points for the decision


def test_a_failed_staging_leaves_nothing_and_a_retry_stages_afresh(trainee, cohort, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("screening unavailable")

    monkeypatch.setattr(licensing, "submit", broken)
    with pytest.raises(RuntimeError):
        services.start_simulation("case-04-screening-true-match", by=trainee)
    assert not SimulationRun.objects.exists()
    assert not Case.objects.exists()
    monkeypatch.undo()
    first = services.start_simulation("case-04-screening-true-match", by=trainee)
    again = services.start_simulation("case-04-screening-true-match", by=trainee)
    assert again.pk == first.pk and Case.objects.count() == 1  # opening it again resumes the same case


def test_retrying_a_scored_case_stages_a_new_case(trainee, cohort):
    run = services.start_simulation("case-01-embargo-haiti", by=trainee)
    real = sandbox.licensing_case(run)
    settle_screening(real, trainee)
    answer_everything(real, trainee)
    licensing.propose_decision(real.pk, by=trainee, outcome="refuse", criteria=["ATT-6.1"], reasons="Embargo.")
    services.submit_case_work(run.pk, by=trainee)
    retry = services.start_simulation("case-01-embargo-haiti", by=trainee)
    assert retry.pk != run.pk
    assert retry.staged["licensing"]["id"] != run.staged["licensing"]["id"]
    assert sandbox.licensing_case(retry).state == CaseState.SCREENING


def test_the_case_file_links_the_real_case_and_scores_it(trainee, cohort):
    client = _client(trainee)
    started = client.post("/training/simulation/cases/case-01-embargo-haiti/start/")
    run = SimulationRun.objects.get(trainee=trainee)
    real = sandbox.licensing_case(run)
    page = client.get(started["Location"]).content.decode()
    assert f"/cases/{real.pk}/" in page and real.reference in page
    assert f"/training/simulation/{run.pk}/decision/" not in page  # no shortcut around the real screens
    assert client.get(f"/cases/{real.pk}/").status_code == 200
    assert real.reference in client.get("/cases/").content.decode()
    early = client.post(f"/training/simulation/{run.pk}/score/")
    assert early.status_code == 400
    settle_screening(real, trainee)
    answer_everything(real, trainee)
    licensing.propose_decision(real.pk, by=trainee, outcome="refuse", criteria=["ATT-6.1"], reasons="Embargo.")
    done = client.post(f"/training/simulation/{run.pk}/score/")
    assert done.status_code == 302
    result = client.get(done["Location"]).content.decode()
    assert 'data-testid="simulation-result" data-passed="true"' in result


def test_a_sandbox_trainee_cannot_see_or_act_on_a_real_authoritys_case(trainee, cohort, make_user, make_authority):
    mx = make_authority("MX")
    case = course.case("case-06-approve-with-conditions")
    exporter = next(p for p in case.parties if p.role == "exporter")
    applicant = sandbox.applicant_account(mx, exporter)
    data = sandbox.application_data(case, euc={"serial": "MX-EUC-1"}, own_state="MX")
    real = licensing.create_application(by=applicant, data=data)
    licensing.submit(real.pk, by=applicant)
    with pytest.raises(Case.DoesNotExist):
        licensing.get_case(real.pk, by=trainee)
    with pytest.raises(Case.DoesNotExist):
        licensing.screening_clear(real.pk, by=trainee)
    with pytest.raises(Case.DoesNotExist):
        licensing.propose_decision(real.pk, by=trainee, outcome="refuse", criteria=["ATT-11"], reasons="x")
    with pytest.raises(Case.DoesNotExist):
        assessment.start(real.pk, by=trainee)
    client = _client(trainee)
    assert client.get(f"/cases/{real.pk}/").status_code == 404
    assert client.get(f"/assessment/cases/{real.pk}/").status_code == 404
    assert real.reference not in client.get("/cases/").content.decode()
    # a trainee of a real authority holds no workflow role at all
    outsider = make_user(mx, Role.TRAINEE)
    with pytest.raises(PermissionDenied):
        licensing.workflow_role(outsider, licensing.W.PROPOSE_DECISION)


@pytest.mark.parametrize("case_id", LICENSING_CASES)
def test_the_model_answer_worked_on_the_real_case_passes(case_id, trainee, cohort):
    run = services.start_simulation(case_id, by=trainee)
    propose_the_model_answer(run, trainee)
    scored = services.submit_case_work(run.pk, by=trainee)
    model = course.case(case_id).model_answer
    assert scored.decision == model.decision.value
    assert scored.passed, (scored.criteria, model.criteria)


def test_another_trainees_work_on_the_case_is_not_scored(trainee, cohort, instructor, make_user, xt):
    other = make_user(xt, Role.TRAINEE, username="xt.other")
    services.enrol(cohort.pk, by=instructor, trainee_id=other.pk)
    run = services.start_simulation("case-01-embargo-haiti", by=trainee)
    real = sandbox.licensing_case(run)
    settle_screening(real, other)
    answer_everything(real, other)
    licensing.propose_decision(real.pk, by=other, outcome="refuse", criteria=["ATT-6.1"], reasons="Not mine.")
    with pytest.raises(ValidationError):
        services.submit_case_work(run.pk, by=trainee)
    assert not SimulationRun.objects.get(pk=run.pk).is_submitted
