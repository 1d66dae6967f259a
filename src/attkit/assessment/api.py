"""API of risk assessments at /api/v1/assessment/: the question bank, a case's assessment, answers,
mitigation measures, completion. The licensing decision reads the findings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils.translation import get_language
from ninja import Router, Schema, Status

from attkit.assessment import rules, services
from attkit.assessment.models import Assessment
from attkit.assessment.questionbank import QuestionBankError
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, require
from attkit.licensing.services import get_case

router = Router(tags=["assessment"])


class ErrorOut(Schema):
    detail: Any


class AnswerIn(Schema):
    value: str
    evidence: str = ""
    sources: list[str] = []
    source_notes: str = ""


class AnswersIn(Schema):
    answers: dict[str, AnswerIn] = {}
    overriding_risk: bool | None = None
    summary: str | None = None


class MitigationIn(Schema):
    measure: str
    criteria: list[str] | None = None
    effect: int | None = None
    description: str = ""


class ReopenIn(Schema):
    reason: str


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@router.get(
    "/question-bank",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="The question bank (latest, or ?version=N) in your language",
)
def question_bank(request: AuthedRequest, version: int | None = None) -> dict[str, Any]:
    require(request.user, Permission.CASE_VIEW)
    try:
        bank = services.bank(version)
    except QuestionBankError:  # a version that was never shipped (it was a 500)
        raise Http404 from None
    lang = _language()
    return {
        "version": bank.version,
        "published": bank.published,
        "title": bank.title.get(lang),
        "sections": [
            {
                "code": section.code,
                "title": section.title.get(lang),
                "questions": [
                    {
                        "code": q.code,
                        "kind": q.kind.value,
                        "article": q.article,
                        "criterion": q.criterion.value,
                        "text": q.text.get(lang),
                        "guidance": q.guidance.get(lang),
                        "sources": list(q.sources),
                    }
                    for q in section.questions
                ],
            }
            for section in bank.sections
        ],
        "mitigations": [
            {
                "code": m.code,
                "name": m.name.get(lang),
                "criteria": sorted(c.value for c in m.criteria),
                "default_effect": m.default_effect,
            }
            for m in bank.mitigations
        ],
        "sources": [{"code": s.code, "name": s.name.get(lang), "url": s.url} for s in bank.sources],
    }


def state_of(assessment: Assessment | None) -> dict[str, Any]:
    """An assessment as the API gives it: answers, mitigation, residual ratings, what the treaty imposes."""
    if assessment is None:
        return {"status": "not_started", "answers": {}, "mitigations": [], "criteria": [], "required_outcome": None}
    found = services.findings(assessment)
    required = rules.required_outcome(found)
    return {
        "id": str(assessment.pk),
        "status": assessment.status,
        "bank_version": assessment.bank_version,
        "overriding_risk_found_by_assessor": assessment.overriding_risk,
        "summary": assessment.summary,
        "answers": {
            a.question: {"value": a.value, "evidence": a.evidence, "sources": a.sources, "source_notes": a.source_notes}
            for a in assessment.answers.all()
        },
        "mitigations": [
            {
                "id": str(m.pk),
                "measure": m.measure,
                "criteria": m.criteria,
                "effect": m.effect,
                "description": m.description,
            }
            for m in assessment.mitigations.all()
        ],
        "criteria": [
            {
                "criterion": row.criterion.value,
                "inherent": row.inherent.value,
                "residual": row.residual.value,
                "overriding": row.overriding,
            }
            for row in services.criterion_rows(assessment)
        ],
        "article6_gates": sorted(c.value for c in found.article6_gates),
        "overriding_risk": rules.has_overriding_risk(found),
        "required_outcome": required.value if required else None,
        "refusal_codes_required": list(rules.refusal_codes(rules.criteria_relied_on(found))),
        "missing": services.missing_answers(assessment),
    }


@router.get("/cases/{case_id}", summary="A case's assessment and what it imposes")
def get_assessment(request: AuthedRequest, case_id: UUID) -> dict[str, Any]:
    require(request.user, Permission.CASE_VIEW)
    case = get_case(case_id, by=request.user)
    return state_of(Assessment.objects.filter(case=case).first())


@router.put(
    "/cases/{case_id}/answers",
    response={200: dict[str, Any], 403: ErrorOut, 422: ErrorOut},
    summary="Record answers (question code -> value, evidence, sources), the assessor's Art. 7(3) finding, a summary",
)
def save_answers(request: AuthedRequest, case_id: UUID, payload: AnswersIn) -> Any:
    assessment = services.save_answers(
        case_id,
        by=request.user,
        answers={code: answer.dict() for code, answer in payload.answers.items()},
        overriding_risk=payload.overriding_risk,
        summary=payload.summary,
    )
    return state_of(assessment)


@router.post(
    "/cases/{case_id}/mitigations",
    response={201: dict[str, Any], 403: ErrorOut, 422: ErrorOut},
    summary="Apply a mitigation measure of the bank (Art. 7(2), 11(2))",
)
def add_mitigation(request: AuthedRequest, case_id: UUID, payload: MitigationIn) -> Any:
    services.add_mitigation(
        case_id,
        by=request.user,
        measure=payload.measure,
        criteria=payload.criteria,
        effect=payload.effect,
        description=payload.description,
    )
    return Status(201, state_of(Assessment.objects.get(case_id=case_id)))


@router.delete("/cases/{case_id}/mitigations/{mitigation_id}", response={200: dict[str, Any], 403: ErrorOut})
def remove_mitigation(request: AuthedRequest, case_id: UUID, mitigation_id: UUID) -> Any:
    services.remove_mitigation(case_id, mitigation_id, by=request.user)
    return state_of(Assessment.objects.get(case_id=case_id))


@router.post(
    "/cases/{case_id}/complete",
    response={200: dict[str, Any], 403: ErrorOut, 422: ErrorOut},
    summary="Complete the assessment (every question answered, evidence for every risk)",
)
def complete(request: AuthedRequest, case_id: UUID) -> Any:
    return state_of(services.complete(case_id, by=request.user))


@router.post("/cases/{case_id}/reopen", response={200: dict[str, Any], 403: ErrorOut, 422: ErrorOut})
def reopen(request: AuthedRequest, case_id: UUID, payload: ReopenIn) -> Any:
    return state_of(services.reopen(case_id, by=request.user, reason=payload.reason))
