"""The assessment page: the question bank in the user's language, answers with evidence and sources,
mitigation measures, the residual ratings and what the treaty then imposes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attkit.assessment import rules, services
from attkit.assessment.models import Assessment
from attkit.assessment.questionbank import QuestionBank, QuestionKind
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, require
from attkit.licensing import texts
from attkit.licensing.models import Case
from attkit.licensing.services import get_case

CRITERION_TITLES = {
    rules.Criterion.PEACE_AND_SECURITY: "ATT-7.1.a",
    rules.Criterion.IHL: "ATT-7.1.b.i",
    rules.Criterion.IHRL: "ATT-7.1.b.ii",
    rules.Criterion.TERRORISM: "ATT-7.1.b.iii",
    rules.Criterion.ORGANISED_CRIME: "ATT-7.1.b.iv",
    rules.Criterion.GENDER_BASED_VIOLENCE: "ATT-7.4",
    rules.Criterion.DIVERSION: "ATT-11",
}


def _case(request: AuthedRequest, case_id: UUID) -> Case:
    require(request.user, Permission.CASE_VIEW)
    try:
        return get_case(case_id, by=request.user)
    except Case.DoesNotExist:
        raise Http404 from None


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _rating_labels(bank: QuestionBank, lang: str) -> list[tuple[str, str]]:
    return [(label.code, label.label.get(lang)) for label in bank.ratings]


def _sections(
    bank: QuestionBank, assessment: Assessment | None, posted: Mapping[str, Any] | None, case: Case
) -> list[dict[str, Any]]:
    lang = _language()
    given = {a.question: a for a in assessment.answers.all()} if assessment else {}
    forced = services.forced_gates(case)
    sources = {s.code: s for s in bank.sources}
    result = []
    for section in bank.sections:
        questions = []
        for q in section.questions:
            answer = given.get(q.code)
            if posted is not None:
                value = str(posted.get(f"{q.code}:value", ""))
                evidence = str(posted.get(f"{q.code}:evidence", ""))
                chosen = list(posted.getlist(f"{q.code}:sources")) if hasattr(posted, "getlist") else []
            else:
                value = answer.value if answer else ("yes" if q.code in forced else "")
                evidence = answer.evidence if answer else ""
                chosen = list(answer.sources) if answer else []
            choices = (
                [(label.code, label.label.get(lang)) for label in bank.gate_answers]
                if q.kind is QuestionKind.GATE
                else _rating_labels(bank, lang)
            )
            questions.append(
                {
                    "code": q.code,
                    "anchor": q.code.replace(".", "-"),
                    "gate": q.kind is QuestionKind.GATE,
                    "article": q.article,
                    "text": q.text.get(lang),
                    "guidance": q.guidance.get(lang),
                    "choices": choices,
                    "value": value,
                    "evidence": evidence,
                    "sources": [
                        {
                            "code": code,
                            "name": sources[code].name.get(lang),
                            "url": sources[code].url,
                            "checked": code in chosen,
                        }
                        for code in q.sources
                        if code in sources
                    ],
                    "forced": forced.get(q.code, ""),
                }
            )
        result.append(
            {
                "code": section.code,
                "title": section.title.get(lang),
                "intro": section.intro.get(lang),
                "questions": questions,
            }
        )
    return result


def _posted_answers(bank: QuestionBank, data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {}
    for q in bank.questions:
        value = str(data.get(f"{q.code}:value", "")).strip()
        evidence = str(data.get(f"{q.code}:evidence", "")).strip()
        chosen = list(data.getlist(f"{q.code}:sources")) if hasattr(data, "getlist") else []
        if value or evidence or chosen:
            answers[q.code] = {"value": value, "evidence": evidence, "sources": chosen}
    return answers


def _error_list(exc: ValidationError, bank: QuestionBank) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    summary: list[dict[str, str]] = []
    by_question: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            code = key.split(".value")[0].split(".evidence")[0].split(".sources")[0]
            for message in (m for e in errors for m in e.messages):
                by_question.setdefault(code, []).append(message)
                summary.append({"anchor": code.replace(".", "-"), "message": message})
    else:
        summary = [{"anchor": "", "message": m} for m in exc.messages]
    return summary, by_question


@login_required
@require_http_methods(["GET", "POST"])
def assessment(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    current = Assessment.objects.filter(case=case).first()
    bank = services.bank_of(current) if current else services.bank()
    editable = services.can_edit(case, request.user) and not (current and current.completed)
    errors: list[dict[str, str]] = []
    by_question: dict[str, list[str]] = {}
    posted = None
    if request.method == "POST":
        require(request.user, Permission.CASE_ASSESS)
        posted = request.POST
        try:
            current = services.save_answers(
                case.pk,
                by=request.user,
                answers=_posted_answers(bank, request.POST),
                overriding_risk=request.POST.get("overriding_risk") == "on",
                summary=request.POST.get("summary", ""),
            )
        except ValidationError as exc:
            errors, by_question = _error_list(exc, bank)
        else:
            messages.success(request, _("Assessment saved."))
            return HttpResponseRedirect(reverse("assessment:assessment", args=[case.pk]))
    sections = _sections(bank, current, posted, case)
    for section in sections:
        for q in section["questions"]:
            q["errors"] = by_question.get(q["code"], [])
    lang = _language()
    rows = services.criterion_rows(current) if current else []
    findings = services.findings(current) if current else None
    required = rules.required_outcome(findings) if findings else None
    labels = dict(_rating_labels(bank, lang))
    return render(
        request,
        "assessment/assessment.html",
        {
            "page_title": _("Risk assessment"),
            "case": case,
            "assessment": current,
            "bank": bank,
            "bank_title": bank.title.get(lang),
            "sections": sections,
            "editable": editable,
            "can_complete": services.can_edit(case, request.user) and current is not None and not current.completed,
            "can_reopen": services.can_edit(case, request.user) and current is not None and current.completed,
            "errors": errors,
            "rows": [
                {
                    "code": CRITERION_TITLES[row.criterion],
                    "label": texts.criterion_label(CRITERION_TITLES[row.criterion]),
                    "inherent": labels.get(row.inherent.value, row.inherent.value),
                    "residual": labels.get(row.residual.value, row.residual.value),
                    "overriding": row.overriding,
                }
                for row in rows
            ],
            "required": required,
            "codes": rules.refusal_codes(rules.criteria_relied_on(findings)) if findings else (),
            "mitigation_types": [(m.code, m.name.get(lang), m.default_effect) for m in bank.mitigations],
            "mitigations": [
                {
                    "row": m,
                    "name": bank.mitigation(m.measure).name.get(lang)
                    if m.measure in {t.code for t in bank.mitigations}
                    else m.measure,
                }
                for m in (current.mitigations.all() if current else [])
            ],
            "missing": services.missing_answers(current) if current else [],
            "summary_text": posted.get("summary", "") if posted is not None else (current.summary if current else ""),
            "overriding_checked": (posted.get("overriding_risk") == "on")
            if posted is not None
            else bool(current and current.overriding_risk),
        },
        status=422 if errors else 200,
    )


def _back(case_id: UUID, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("assessment:assessment", args=[case_id]) + (f"#{anchor}" if anchor else ""))


def _flash(request: AuthedRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def add_mitigation(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    try:
        effect = request.POST.get("effect", "")
        services.add_mitigation(
            case.pk,
            by=request.user,
            measure=request.POST.get("measure", ""),
            effect=int(effect) if effect.isdigit() else None,
            description=request.POST.get("description", ""),
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Mitigation measure applied."))
    return _back(case.pk, "mitigation")


@login_required
@require_POST
def remove_mitigation(request: AuthedRequest, case_id: UUID, mitigation_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    try:
        services.remove_mitigation(case.pk, mitigation_id, by=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    return _back(case.pk, "mitigation")


@login_required
@require_POST
def complete(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    try:
        services.complete(case.pk, by=request.user)
    except ValidationError as exc:
        _flash(request, exc)
        return _back(case.pk)
    messages.success(request, _("Assessment completed."))
    return HttpResponseRedirect(reverse("licensing:case_detail", args=[case.pk]) + "#assessment")


@login_required
@require_POST
def reopen(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    try:
        services.reopen(case.pk, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _flash(request, exc)
    return _back(case.pk)
