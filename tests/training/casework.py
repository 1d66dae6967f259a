"""Working a staged licensing case through the real services, as a trainee does on the case screens."""

from __future__ import annotations

from typing import Any

from attkit.assessment import services as assessment
from attkit.licensing import services as licensing
from attkit.licensing.models import Case, HitStatus
from attkit.training import course, sandbox

# One question of the bank per course criterion, answered with evidence (no risk) when an approval weighs it.
WEIGHED = {
    "6.1": ("art6.1.other_party", "no"),
    "7.1.a": ("art7.1a.peace_security", "none"),
    "7.1.b.ii": ("art7.1bii.ihrl_record", "none"),
    "7.4": ("art7.4.gender_based_violence", "none"),
    "11": ("art11.end_user_reliability", "low"),
    "proportionality": ("prop.quantity_need", "none"),
}


def answer_everything(case: Case, by: Any, **chosen: tuple[str, str]) -> None:
    """Answer the whole question bank and complete the assessment: gates no and ratings none without evidence,
    except `chosen` (question code with dots as __ -> (value, evidence)); gates the facts force stay yes."""
    bank = assessment.bank()
    forced = assessment.forced_gates(case)
    answers: dict[str, dict[str, Any]] = {}
    for question in bank.questions:
        value = "no" if question.kind.value == "gate" else "none"
        evidence = ""
        if question.code in forced:
            value, evidence = "yes", "The facts of the case answer this."
        picked = chosen.get(question.code.replace(".", "__"))
        if picked:
            value, evidence = picked
        answers[question.code] = {"value": value, "evidence": evidence}
    assessment.save_answers(case.pk, by=by, answers=answers)
    assessment.complete(case.pk, by=by)


def settle_screening(case: Case, by: Any, *, true_match: bool = False) -> None:
    """Review every hit, resolve the blocking flags (confirmed), clear screening."""
    for hit in case.hits.filter(status=HitStatus.PENDING):
        decision = HitStatus.TRUE_MATCH if true_match else HitStatus.FALSE_POSITIVE
        licensing.review_hit(hit.pk, by=by, decision=decision, reason="Compared with the list entry.")
    for flag in case.flags.filter(status="open", severity="blocking"):
        licensing.resolve_flag(flag.pk, by=by, resolution="confirmed", reason="Checked on the reference data.")
    licensing.screening_clear(case.pk, by=by)


def propose_the_model_answer(run: Any, by: Any) -> None:
    """Work the run's real case to the model answer's decision and criteria, up to the decision proposal."""
    model = course.case(run.case_id).model_answer
    case = sandbox.licensing_case(run)
    settle_screening(case, by, true_match=model.decision.value == "refuse")
    if model.decision.value == "refuse":
        answer_everything(case, by)
        codes = [f"ATT-{c}" for c in model.criteria if c != "proportionality"]
        licensing.propose_decision(case.pk, by=by, outcome="refuse", criteria=codes, reasons="As the model answer.")
    else:
        chosen = {WEIGHED[c][0].replace(".", "__"): (WEIGHED[c][1], "Weighed: no risk.") for c in model.criteria}
        answer_everything(case, by, **chosen)
        licensing.propose_decision(case.pk, by=by, outcome="approve", reasons="As the model answer.")
