"""Use cases of the risk assessment: answer the question bank, apply mitigation, complete; and the findings
the licensing decision must respect (rules.py decides what they impose)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attkit.assessment import questionbank, rules
from attkit.assessment.models import Answer, Assessment, AssessmentStatus, Mitigation
from attkit.assessment.questionbank import QuestionBank, QuestionKind
from attkit.assessment.rules import Criterion, Findings, Rating
from attkit.core import audit
from attkit.core.permissions import Permission, require
from attkit.licensing import flags as flag_rules
from attkit.licensing.services import Refused, _lock, _not_own_application, use_case

if TYPE_CHECKING:
    from attkit.accounts.models import User
    from attkit.licensing.models import Case

MAX_TEXT = 5000
GATE_VALUES = ("no", "yes")
RATING_VALUES = tuple(r.value for r in Rating)
# Flags that, once a supervisor confirms them, are an Art. 6(1) gate answered yes.
UN_EMBARGO_FLAGS = frozenset(
    {
        flag_rules.FlagCode.UN_EMBARGO.value,
        flag_rules.FlagCode.UN_EMBARGO_PARTIAL.value,
        flag_rules.FlagCode.UN_EMBARGO_NON_STATE_ACTOR.value,
    }
)


class AssessmentAuditKind(StrEnum):
    START = "assessment:start"
    ANSWER = "assessment:answer"
    MITIGATION_ADD = "assessment:mitigation_add"
    MITIGATION_REMOVE = "assessment:mitigation_remove"
    COMPLETE = "assessment:complete"
    REOPEN = "assessment:reopen"


@functools.lru_cache(maxsize=8)
def bank(version: int | None = None) -> QuestionBank:
    """A shipped version of the question bank (the latest by default), loaded once."""
    return questionbank.load(version)


def bank_of(assessment: Assessment) -> QuestionBank:
    return bank(assessment.bank_version)


def forced_gates(case: Case) -> dict[str, str]:
    """Gate questions the facts already answer yes: question code -> why (a confirmed UN embargo or list match)."""
    from attkit.licensing.models import FlagResolution, HitStatus

    forced: dict[str, str] = {}
    for flag in case.flags.filter(resolution=FlagResolution.CONFIRMED):
        if flag.code in UN_EMBARGO_FLAGS:
            forced["art6.1.destination"] = _("A supervisor confirmed the UN arms embargo flag: %(reason)s") % {
                "reason": flag.resolution_reason
            }
    for hit in case.hits.filter(status=HitStatus.TRUE_MATCH, list_name="UN").select_related("party"):
        code = "art6.1.end_user" if hit.party.role == "end_user" else "art6.1.other_party"
        forced[code] = _("A party is a true match on the UN sanctions list: %(ref)s") % {"ref": hit.entry_ref}
    return forced


def _editable(case_id: Any, by: User) -> tuple[Case, Assessment]:
    require(by, Permission.CASE_ASSESS)
    case = _lock(case_id, by)
    _not_own_application(case, by)
    if case.state != "under_assessment":
        raise Refused(_("The assessment can be changed only while the case is under assessment."), code="locked")
    assessment = Assessment.objects.filter(case=case).first()
    if assessment is None:
        assessment = Assessment.objects.create(authority=case.authority, case=case, bank_version=bank().version)
        audit.record(by, AssessmentAuditKind.START, assessment, {"case": case.reference, "bank": bank().version})
    return case, assessment


@use_case("assessment_start")
def start(case_id: Any, *, by: User) -> Assessment:
    """The case's assessment, started against the latest bank if there is none yet."""
    with transaction.atomic():
        _case, assessment = _editable(case_id, by)
    return assessment


def _clean_answer(question: questionbank.Question, raw: Mapping[str, Any], known_sources: set[str]) -> dict[str, Any]:
    field = question.code
    value = str(raw.get("value") or "").strip()
    allowed = GATE_VALUES if question.kind is QuestionKind.GATE else RATING_VALUES
    errors: dict[str, str] = {}
    if value not in allowed:
        errors[f"{field}.value"] = _("Answer yes or no") if question.kind is QuestionKind.GATE else _("Select a rating")
    evidence = str(raw.get("evidence") or "").strip()
    if len(evidence) > MAX_TEXT:
        errors[f"{field}.evidence"] = _("Use %(n)s characters or fewer") % {"n": MAX_TEXT}
    sources = [str(s) for s in (raw.get("sources") or [])]
    unknown = [s for s in sources if s not in known_sources]
    if unknown:
        errors[f"{field}.sources"] = _("Select sources from the list")
    notes = str(raw.get("source_notes") or "").strip()[:MAX_TEXT]
    if errors:
        raise ValidationError(errors)
    return {"value": value, "evidence": evidence, "sources": sources, "source_notes": notes}


@use_case("assessment_answer")
def save_answers(
    case_id: Any,
    *,
    by: User,
    answers: Mapping[str, Mapping[str, Any]],
    overriding_risk: bool | None = None,
    summary: str | None = None,
) -> Assessment:
    """Record answers (question code -> value, evidence, sources); a gate the facts answer stays yes."""
    with transaction.atomic():
        case, assessment = _editable(case_id, by)
        if assessment.completed:
            raise Refused(_("The assessment is completed; reopen it to change it."), code="completed")
        current = bank_of(assessment)
        known_sources = {s.code for s in current.sources}
        forced = forced_gates(case)
        errors: dict[str, list[str]] = {}
        cleaned: dict[str, dict[str, Any]] = {}
        for code, raw in answers.items():
            try:
                question = current.question(code)
            except KeyError:
                errors[code] = [_("This question is not in the question bank")]
                continue
            try:
                cleaned[code] = _clean_answer(question, raw, known_sources)
            except ValidationError as exc:
                errors.update(exc.message_dict)
                continue
            if code in forced and cleaned[code]["value"] != "yes":
                errors[f"{code}.value"] = [forced[code]]
        if errors:
            raise ValidationError(errors)
        for code, data in cleaned.items():
            Answer.objects.update_or_create(
                assessment=assessment,
                question=code,
                defaults={**data, "authority": case.authority, "answered_by": by},
            )
        if overriding_risk is not None:
            assessment.overriding_risk = overriding_risk
        if summary is not None:
            assessment.summary = summary.strip()[:MAX_TEXT]
        assessment.save()
        audit.record(
            by,
            AssessmentAuditKind.ANSWER,
            assessment,
            {"case": case.reference, "answers": {c: d["value"] for c, d in cleaned.items()}},
        )
    return assessment


@use_case("assessment_mitigation")
def add_mitigation(
    case_id: Any,
    *,
    by: User,
    measure: str,
    criteria: Sequence[str] | None = None,
    effect: int | None = None,
    description: str = "",
) -> Mitigation:
    """Apply an Art. 7(2) / 11(2) measure of the bank to the criteria it addresses, with its effect in steps."""
    with transaction.atomic():
        case, assessment = _editable(case_id, by)
        if assessment.completed:
            raise Refused(_("The assessment is completed; reopen it to change it."), code="completed")
        try:
            kind = bank_of(assessment).mitigation(measure)
        except KeyError:
            raise ValidationError({"measure": _("Select a mitigation measure")}) from None
        chosen = frozenset(Criterion(c) for c in criteria) if criteria else kind.criteria
        if not chosen <= kind.criteria:
            raise ValidationError({"criteria": _("This measure does not address those criteria")})
        steps = kind.default_effect if effect is None else effect
        try:
            rules.Mitigation(kind.code, chosen, int(steps))
        except ValueError:
            raise ValidationError(
                {"effect": _("The effect is 0 to %(n)s steps") % {"n": rules.MAX_MITIGATION_STEPS}}
            ) from None
        row = Mitigation.objects.create(
            authority=case.authority,
            assessment=assessment,
            measure=kind.code,
            criteria=sorted(c.value for c in chosen),
            effect=int(steps),
            description=description.strip()[:MAX_TEXT],
            added_by=by,
        )
        audit.record(
            by,
            AssessmentAuditKind.MITIGATION_ADD,
            assessment,
            {"case": case.reference, "measure": kind.code, "effect": row.effect, "criteria": row.criteria},
        )
    return row


@use_case("assessment_mitigation")
def remove_mitigation(case_id: Any, mitigation_id: Any, *, by: User) -> None:
    with transaction.atomic():
        case, assessment = _editable(case_id, by)
        if assessment.completed:
            raise Refused(_("The assessment is completed; reopen it to change it."), code="completed")
        row = assessment.mitigations.get(pk=mitigation_id)
        row.delete()
        audit.record(
            by, AssessmentAuditKind.MITIGATION_REMOVE, assessment, {"case": case.reference, "measure": row.measure}
        )


def missing_answers(assessment: Assessment) -> list[str]:
    """Questions without an answer, and answers that need evidence (a gate yes, any rating above none)."""
    given = {a.question: a for a in assessment.answers.all()}
    problems = []
    for question in bank_of(assessment).questions:
        answer = given.get(question.code)
        if answer is None or (answer.value not in ("no", "none") and not answer.evidence):
            problems.append(question.code)
    return problems


@use_case("assessment_complete")
def complete(case_id: Any, *, by: User) -> Assessment:
    """Close the assessment: every question answered, evidence for every risk found."""
    with transaction.atomic():
        case, assessment = _editable(case_id, by)
        if assessment.completed:
            raise Refused(_("The assessment is already completed."), code="completed")
        forced = forced_gates(case)
        for code in forced:
            answer = assessment.answers.filter(question=code).first()
            if answer is None or answer.value != "yes":
                raise ValidationError({code: [forced[code]]})
        missing = missing_answers(assessment)
        if missing:
            texts = bank_of(assessment)
            language = translation_language()
            raise ValidationError(
                {
                    code: [
                        _("Answer this question, with evidence where a risk is found: %(question)s")
                        % {"question": texts.question(code).text.get(language)}
                    ]
                    for code in missing
                }
            )
        assessment.status = AssessmentStatus.COMPLETED
        assessment.completed_by = by
        assessment.completed_at = timezone.now()
        assessment.save()
        found = findings(assessment)
        audit.record(
            by,
            AssessmentAuditKind.COMPLETE,
            assessment,
            {
                "case": case.reference,
                "required": (rules.required_outcome(found) or "none"),
                "criteria": list(rules.refusal_codes(rules.criteria_relied_on(found))),
            },
        )
    return assessment


@use_case("assessment_reopen")
def reopen(case_id: Any, *, by: User, reason: str) -> Assessment:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the assessment is reopened")})
    with transaction.atomic():
        case, assessment = _editable(case_id, by)
        if not assessment.completed:
            raise Refused(_("The assessment is not completed."), code="not_completed")
        assessment.status = AssessmentStatus.IN_PROGRESS
        assessment.completed_at = None
        assessment.save()
        audit.record(by, AssessmentAuditKind.REOPEN, assessment, {"case": case.reference, "reason": reason.strip()})
    return assessment


def translation_language() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"


# --- findings -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRow:
    """One criterion as the assessment page shows it."""

    criterion: Criterion
    inherent: Rating
    residual: Rating
    overriding: bool


def inherent_ratings(assessment: Assessment) -> dict[Criterion, Rating]:
    current = bank_of(assessment)
    by_criterion: dict[Criterion, list[Rating]] = {}
    for answer in assessment.answers.all():
        try:
            question = current.question(answer.question)
        except KeyError:
            continue
        if question.kind is QuestionKind.RATING and answer.value in RATING_VALUES:
            by_criterion.setdefault(question.criterion, []).append(Rating(answer.value))
    return {c: rules.criterion_rating(r) for c, r in by_criterion.items()}


def mitigations_of(assessment: Assessment) -> list[rules.Mitigation]:
    return [
        rules.Mitigation(m.measure, frozenset(Criterion(c) for c in m.criteria), m.effect)
        for m in assessment.mitigations.all()
    ]


def findings(assessment: Assessment) -> Findings:
    """What the assessment found: gates answered yes (or forced by the facts), residual ratings, Art. 7(3)."""
    current = bank_of(assessment)
    gates: set[Criterion] = set()
    for answer in assessment.answers.all():
        try:
            question = current.question(answer.question)
        except KeyError:
            continue
        if question.kind is QuestionKind.GATE and answer.value == "yes":
            gates.add(question.criterion)
    for code in forced_gates(assessment.case):
        gates.add(current.question(code).criterion)
    residual = rules.residual_ratings(inherent_ratings(assessment), mitigations_of(assessment))
    return Findings(frozenset(gates), residual, assessment.overriding_risk)


def findings_for_case(case: Case) -> Findings | None:
    """The findings of the case's completed assessment; None while it is not completed."""
    assessment = Assessment.objects.filter(case=case, status=AssessmentStatus.COMPLETED).first()
    return findings(assessment) if assessment is not None else None


def criterion_rows(assessment: Assessment) -> list[CriterionRow]:
    inherent = inherent_ratings(assessment)
    found = findings(assessment)
    overriding = rules.overriding_criteria(found)
    return [
        CriterionRow(c, inherent.get(c, Rating.NONE), found.residual.get(c, Rating.NONE), c in overriding)
        for c in rules.RISK_CRITERIA
    ]


def can_edit(case: Case, user: Any) -> bool:
    """Whether the assessment page offers the form (the services decide again on save)."""
    from attkit.core.permissions import has_permission
    from attkit.licensing.services import _own_application

    try:
        return (
            has_permission(user, Permission.CASE_ASSESS)
            and case.state == "under_assessment"
            and not _own_application(case, user)
        )
    except PermissionDenied:
        return False
