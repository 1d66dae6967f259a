"""Use cases of the course: reading, quizzes, simulation cases, cohorts and certificates of completion.

Each use case checks its permission, owns its transaction and writes one audit event. Records live in the
user's authority (tenancy); simulation cases and certificates only in a training sandbox authority.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attkit.core import audit
from attkit.core.permissions import Permission, Role, require
from attkit.training import content_loader as loader
from attkit.training import course, progress, sandbox
from attkit.training.models import (
    Certificate,
    CertificateStatus,
    Cohort,
    Enrolment,
    LessonProgress,
    QuizAttempt,
    ReferenceCounter,
    SimulationComment,
    SimulationRun,
    SimulationStatus,
)

if TYPE_CHECKING:
    from attkit.accounts.models import User
    from attkit.core.models import Authority

CERTIFICATE_PREFIX = "CRT1:"
PAYLOAD_VERSION = 1
MAX_REASONS = 5000
MAX_COMMENT = 5000
MAX_NAME = 200


class TrainingAuditKind(StrEnum):
    LESSON_READ = "training:lesson_read"
    QUIZ_START = "training:quiz_start"
    QUIZ_SUBMIT = "training:quiz_submit"
    SIMULATION_START = "training:simulation_start"
    SIMULATION_SUBMIT = "training:simulation_submit"
    SIMULATION_COMMENT = "training:simulation_comment"
    COHORT_CREATE = "training:cohort_create"
    ENROL = "training:enrol"
    UNENROL = "training:unenrol"
    CERTIFICATE_ISSUE = "training:certificate_issue"
    CERTIFICATE_REVOKE = "training:certificate_revoke"


def _authority(user: User) -> Authority:
    if user.authority is None:
        raise PermissionDenied(_("You must belong to an authority to take the course."))
    return user.authority


def _sandbox(user: User) -> Authority:
    authority = _authority(user)
    if not authority.is_sandbox:
        raise PermissionDenied(
            _(
                "Simulation cases and certificates of completion live in the training sandbox. Ask your "
                "instructor for an account of the sandbox."
            )
        )
    return authority


# --- reading -------------------------------------------------------------------------------------------------


def mark_lesson_read(lesson_id: str, *, by: User) -> LessonProgress:
    """Record that the user read a lesson (idempotent: a second call changes nothing)."""
    require(by, Permission.COURSE_TAKE)
    authority = _authority(by)
    try:
        lesson = course.course("en").lesson(lesson_id)
    except KeyError:
        raise ValidationError({"lesson": _("There is no such lesson.")}) from None
    with transaction.atomic():
        row, created = LessonProgress.objects.get_or_create(
            authority=authority,
            user=by,
            lesson_id=lesson.id,
            defaults={"module_id": lesson.module_id, "read_at": timezone.now()},
        )
        if created:
            audit.record(by, TrainingAuditKind.LESSON_READ, row, {"lesson": lesson.id})
    return row


# --- quizzes -------------------------------------------------------------------------------------------------


def _quiz(module_id: str, lang: str = "en") -> loader.Quiz:
    try:
        return course.course(lang).module(module_id).quiz
    except KeyError:
        raise ValidationError({"module": _("There is no such module.")}) from None


def start_attempt(module_id: str, *, by: User) -> QuizAttempt:
    """A new attempt at a module's quiz, or the user's attempt still open on it (no redrawing to fish)."""
    require(by, Permission.COURSE_TAKE)
    authority = _authority(by)
    quiz = _quiz(module_id)
    with transaction.atomic():
        open_attempt = (
            QuizAttempt.objects.for_user(by)
            .select_for_update()
            .filter(user=by, module_id=module_id, submitted_at__isnull=True)
            .first()
        )
        if open_attempt is not None:
            return open_attempt
        attempt = QuizAttempt(authority=authority, user=by, module_id=module_id, passing_score=quiz.passing_score)
        attempt.question_ids = [q.id for q in loader.draw_attempt(quiz, attempt.rng())]
        attempt.save()
        audit.record(by, TrainingAuditKind.QUIZ_START, attempt, {"module": module_id})
    return attempt


def questions_of(attempt: QuizAttempt, lang: str | None = None) -> tuple[loader.Question, ...]:
    """The attempt's questions in its own order and with its own shuffles, in the given language.

    The draw is seeded by the attempt's id, so it renders the same every time. If the question bank changed
    since the attempt began, the stored question ids win (options then keep the bank's order).
    """
    quiz = _quiz(attempt.module_id, lang or course.current_lang())
    drawn = loader.draw_attempt(quiz, attempt.rng(), len(attempt.question_ids) or None)
    if [q.id for q in drawn] == list(attempt.question_ids):
        return drawn
    known = {q.id for q in quiz.questions}
    return tuple(quiz.question(qid) for qid in attempt.question_ids if qid in known)


def _clean_answers(questions: Sequence[loader.Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as the grader takes them, JSON-able; ValidationError naming each question left unanswered."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for number, question in enumerate(questions, start=1):
        given = answers.get(question.id)
        message = _("Answer question %(n)s") % {"n": number}
        if question.type is loader.QuestionType.MULTIPLE_CHOICE:
            if given not in {o.id for o in question.options}:
                errors[question.id] = message
            else:
                cleaned[question.id] = given
        elif question.type is loader.QuestionType.TRUE_FALSE:
            if given not in (True, False, "true", "false"):
                errors[question.id] = message
            else:
                cleaned[question.id] = given in (True, "true")
        else:
            rights = {p.id for p in question.pairs}
            chosen = given if isinstance(given, Mapping) else {}
            pairs = {pid: chosen.get(pid) for pid in rights}
            if any(value not in rights for value in pairs.values()):
                errors[question.id] = message
            else:
                cleaned[question.id] = pairs
    if errors:
        raise ValidationError(errors)
    return cleaned


def submit_attempt(attempt_id: Any, *, by: User, answers: Mapping[str, Any]) -> QuizAttempt:
    """Grade an attempt once; feedback is recomputed from the stored answers when the result is shown."""
    require(by, Permission.COURSE_TAKE)
    with transaction.atomic():
        attempt = QuizAttempt.objects.for_user(by).select_for_update().filter(pk=attempt_id, user=by).first()
        if attempt is None:
            raise PermissionDenied(_("This quiz attempt is not yours."))
        if attempt.is_submitted:
            raise ValidationError(_("This attempt was already submitted. Start a new attempt to try again."))
        questions = questions_of(attempt, "en")
        cleaned = _clean_answers(questions, answers)
        score, _feedback = loader.grade(questions, cleaned)
        attempt.answers = cleaned
        attempt.score = round(score, 4)
        attempt.passed = score >= attempt.passing_score
        attempt.submitted_at = timezone.now()
        attempt.save()
        audit.record(
            by,
            TrainingAuditKind.QUIZ_SUBMIT,
            attempt,
            {"module": attempt.module_id, "score": attempt.score, "passed": attempt.passed},
        )
    return attempt


def feedback_of(attempt: QuizAttempt, lang: str | None = None) -> tuple[loader.Feedback, ...]:
    questions = questions_of(attempt, lang)
    _score, feedback = loader.grade(questions, attempt.answers)
    return feedback


# --- simulation ----------------------------------------------------------------------------------------------


def _case(case_id: str) -> loader.Case:
    try:
        return course.case(case_id)
    except KeyError:
        raise ValidationError({"case": _("There is no such simulation case.")}) from None


def own_state_of(user: User) -> str:
    """The state a trainee plays in the cases (their "XX"): their latest cohort's country, else the authority's."""
    enrolment = Enrolment.objects.for_user(user).filter(trainee=user).select_related("cohort").order_by("-created_at")
    first = enrolment.first()
    for code in (first.cohort.country if first else "", user.authority.country if user.authority else ""):
        if _country(code):
            return code
    raise ValidationError(
        _("Ask your instructor to enrol you in a cohort: its country is the state you play in the cases.")
    )


def start_simulation(case_id: str, *, by: User) -> SimulationRun:
    """Open a case in the sandbox and stage its records there; the trainee's open run of the case if any."""
    require(by, Permission.COURSE_TAKE)
    authority = _sandbox(by)
    case = _case(case_id)
    with transaction.atomic():
        existing = (
            SimulationRun.objects.for_user(by)
            .select_for_update()
            .filter(trainee=by, case_id=case.id, status=SimulationStatus.IN_PROGRESS)
            .first()
        )
        if existing is not None:
            return existing
        own_state = own_state_of(by)
        run = SimulationRun.objects.create(authority=authority, trainee=by, case_id=case.id)
        run.staged = sandbox.stage(run, case, by=by, own_state=own_state)
        run.save(update_fields=["staged"])
        audit.record(
            by,
            TrainingAuditKind.SIMULATION_START,
            run,
            {
                "case": case.id,
                "euc": run.staged.get("euc", {}).get("serial"),
                "licensing_case": (run.staged.get("licensing") or {}).get("reference"),
            },
        )
    return run


def submit_simulation(run_id: Any, *, by: User, decision: str, criteria: Iterable[str], reasons: str) -> SimulationRun:
    """Record the trainee's decision and the criteria relied on, and score it against the model answer."""
    require(by, Permission.COURSE_TAKE)
    errors: dict[str, str] = {}
    if decision not in {d.value for d in loader.Decision}:
        errors["decision"] = _("Select your decision: approve or refuse")
    codes = list(dict.fromkeys(str(c) for c in criteria))
    if not codes:
        errors["criteria"] = _("Select the criteria your decision relies on")
    elif any(code not in loader.CRITERIA for code in codes):
        errors["criteria"] = _("Select criteria from the list")
    reasons = (reasons or "").strip()
    if not reasons:
        errors["reasons"] = _("Explain your decision in a few sentences")
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = _("Explain your decision in at most %(n)s characters") % {"n": MAX_REASONS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        run = SimulationRun.objects.for_user(by).select_for_update().filter(pk=run_id, trainee=by).first()
        if run is None:
            raise PermissionDenied(_("This simulation case is not yours."))
        if run.is_submitted:
            raise ValidationError(_("You already submitted a decision on this case. Open the case again to retry."))
        if sandbox.licensing_case(run) is not None:
            raise ValidationError(
                _("Work this case on the licensing screens and propose your decision there: it is scored from it.")
            )
        _score(run, by=by, decision=decision, criteria=codes, reasons=reasons)
    return run


def _score(run: SimulationRun, *, by: User, decision: str, criteria: list[str], reasons: str) -> None:
    """Score a locked, open run against the model answer and record it (one audit event)."""
    case = _case(run.case_id)
    result = loader.score_case(case, decision, criteria)
    run.decision = decision
    run.criteria = criteria
    run.reasons = reasons[:MAX_REASONS]
    run.points = result.points
    run.max_points = result.max_points
    run.score = round(result.score, 4)
    run.passed = result.decision_correct and result.score >= course.simulation_passing_score()
    run.status = SimulationStatus.SUBMITTED
    run.submitted_at = timezone.now()
    run.save()
    staged_case = (run.staged or {}).get("licensing") or {}
    audit.record(
        by,
        TrainingAuditKind.SIMULATION_SUBMIT,
        run,
        {
            "case": run.case_id,
            "decision": decision,
            "criteria": criteria,
            "points": run.points,
            **({"licensing_case": staged_case["reference"]} if staged_case.get("reference") else {}),
        },
    )


def submit_case_work(run_id: Any, *, by: User) -> SimulationRun:
    """Score what the trainee did on the run's real sandbox case: the decision proposed there and the criteria
    relied on (see `sandbox.decision_on_case`). The case is then closed (withdrawn by its fictional applicant,
    with the reason on record) so that the sandbox's queue holds only cases still being worked; its decision,
    assessment and history stay for the instructor's review."""
    from attkit.accounts.models import User as UserModel
    from attkit.licensing import services as licensing

    require(by, Permission.COURSE_TAKE)
    with transaction.atomic():
        run = SimulationRun.objects.for_user(by).select_for_update().filter(pk=run_id, trainee=by).first()
        if run is None:
            raise PermissionDenied(_("This simulation case is not yours."))
        if run.is_submitted:
            raise ValidationError(_("You already submitted a decision on this case. Open the case again to retry."))
        case = sandbox.licensing_case(run)
        if case is None:
            raise ValidationError(_("This case is worked on its case file: submit your decision there."))
        worked = sandbox.decision_on_case(run)
        if worked is None:
            raise ValidationError(
                _("Propose your decision on the case (%(reference)s) first; then submit it for scoring.")
                % {"reference": case.reference}
            )
        decision, criteria, reasons = worked
        _score(run, by=by, decision=decision, criteria=criteria, reasons=reasons)
        if not case.is_closed:
            applicant = UserModel.objects.get(authority=run.authority, username=run.staged["licensing"]["applicant"])
            licensing.withdraw(
                case.pk, by=applicant, reason=_("Simulation case scored; closed by the training sandbox.")
            )
    return run


def comment_simulation(run_id: Any, *, by: User, text: str) -> SimulationComment:
    """An instructor's review of a submitted case, shown to the trainee beside the model answer."""
    require(by, Permission.COURSE_TEACH)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your comment")})
    if len(text) > MAX_COMMENT:
        raise ValidationError({"text": _("Write at most %(n)s characters") % {"n": MAX_COMMENT}})
    with transaction.atomic():
        run = SimulationRun.objects.for_user(by).filter(pk=run_id).first()
        if run is None:
            raise PermissionDenied(_("This simulation case is not in your authority."))
        if not run.is_submitted:
            raise ValidationError({"text": _("The trainee has not submitted a decision on this case yet.")})
        comment = SimulationComment.objects.create(authority=run.authority, run=run, author=by, text=text)
        audit.record(by, TrainingAuditKind.SIMULATION_COMMENT, run, {"comment": str(comment.pk)})
    return comment


# --- cohorts -------------------------------------------------------------------------------------------------


def _country(value: Any) -> str:
    import pycountry

    code = str(value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or pycountry.countries.get(alpha_2=code) is None:
        return ""
    return code


def create_cohort(*, by: User, name: str, country: str, starts_on: dt.date, ends_on: dt.date) -> Cohort:
    require(by, Permission.COURSE_TEACH)
    authority = _authority(by)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the name of the cohort")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Enter a name of at most %(n)s characters") % {"n": MAX_NAME}
    code = _country(country)
    if not code:
        errors["country"] = _("Select the country whose officials are trained")
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = _("Enter the first day as YYYY-MM-DD")
    if not isinstance(ends_on, dt.date):
        errors["ends_on"] = _("Enter the last day as YYYY-MM-DD")
    elif isinstance(starts_on, dt.date) and ends_on < starts_on:
        errors["ends_on"] = _("The last day must be on or after the first day")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cohort = Cohort.objects.create(
            authority=authority, name=name, country=code, starts_on=starts_on, ends_on=ends_on, created_by=by
        )
        audit.record(by, TrainingAuditKind.COHORT_CREATE, cohort, {"name": name, "country": code})
    return cohort


def enrol(cohort_id: Any, *, by: User, trainee_id: Any) -> Enrolment:
    """Enrol a trainee of the instructor's authority (in the demo, the sandbox) in a cohort."""
    from attkit.accounts.models import User

    require(by, Permission.COURSE_TEACH)
    with transaction.atomic():
        cohort = Cohort.objects.for_user(by).select_for_update().filter(pk=cohort_id).first()
        if cohort is None:
            raise PermissionDenied(_("This cohort is not in your authority."))
        trainee = User.objects.for_user(by).filter(pk=trainee_id, is_active=True).first()
        if trainee is None or not trainee.has_role(Role.TRAINEE):
            raise ValidationError({"trainee": _("Select a trainee of your authority")})
        if Enrolment.objects.filter(cohort=cohort, trainee=trainee).exists():
            raise ValidationError({"trainee": _("This trainee is already in the cohort")})
        enrolment = Enrolment.objects.create(authority=cohort.authority, cohort=cohort, trainee=trainee, enrolled_by=by)
        audit.record(by, TrainingAuditKind.ENROL, cohort, {"trainee": trainee.username})
    return enrolment


def unenrol(enrolment_id: Any, *, by: User) -> None:
    require(by, Permission.COURSE_TEACH)
    with transaction.atomic():
        enrolment = Enrolment.objects.for_user(by).select_related("cohort", "trainee").filter(pk=enrolment_id).first()
        if enrolment is None:
            raise PermissionDenied(_("This enrolment is not in your authority."))
        cohort = enrolment.cohort
        username = enrolment.trainee.username
        enrolment.delete()
        audit.record(by, TrainingAuditKind.UNENROL, cohort, {"trainee": username})


def trainees_for(by: User) -> list[User]:
    """The active trainees of the instructor's authority, for the enrolment form."""
    from attkit.accounts.models import User

    require(by, Permission.COURSE_TEACH)
    users = User.objects.for_user(by).filter(is_active=True, role_grants__role=Role.TRAINEE.value)
    return list(users.order_by("last_name", "first_name", "username").distinct())


# --- certificates --------------------------------------------------------------------------------------------


def _certificate_number(authority: Authority, year: int) -> str:
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(authority=authority, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{authority.code}-CRT-{year}-{counter.last:06d}"


def certificate_payload(certificate: Certificate) -> dict[str, Any]:
    """The compact sealed content: number, name, cohort, date and the modules completed (ids)."""
    return {
        "v": PAYLOAD_VERSION,
        "n": certificate.number,
        "t": certificate.trainee_name,
        "c": certificate.cohort_name,
        "d": certificate.issued_on.isoformat(),
        "m": list(certificate.modules),
    }


def issue_certificate(*, by: User) -> Certificate:
    """The trainee's certificate of completion, sealed by the sandbox; the one already issued if any."""
    from attkit.seals import services as seals

    require(by, Permission.COURSE_TAKE)
    authority = _sandbox(by)
    with transaction.atomic():
        held = Certificate.objects.for_user(by).filter(trainee=by, status=CertificateStatus.ISSUED).first()
        if held is not None:
            return held
        standing = progress.progress_of(by)
        if not standing.eligible:
            raise ValidationError(
                _("Pass the quiz of every module and at least one simulation case to receive the certificate.")
            )
        enrolment = (
            Enrolment.objects.for_user(by).filter(trainee=by).select_related("cohort").order_by("-created_at").first()
        )
        now = timezone.now()
        today = timezone.localdate(now)
        certificate = Certificate(
            authority=authority,
            number=_certificate_number(authority, today.year),
            trainee=by,
            cohort=enrolment.cohort if enrolment else None,
            cohort_name=enrolment.cohort.name if enrolment else "",
            trainee_name=(by.get_full_name() or by.username)[:300],
            modules=list(course.module_ids()),
            issued_on=today,
        )
        certificate.seal_text = seals.seal(
            authority,
            CERTIFICATE_PREFIX,
            certificate_payload(certificate),
            expires_at=None,
            issued_at=now,
            serial=certificate.number,
        )
        certificate.save()
        audit.record(
            by,
            TrainingAuditKind.CERTIFICATE_ISSUE,
            certificate,
            {"number": certificate.number, "cohort": certificate.cohort_name},
        )
    return certificate


def revoke_certificate(certificate_id: Any, *, by: User, reason: str) -> Certificate:
    """Revoke a certificate: its seal verifies as revoked from now on (the serial is published too)."""
    from attkit.seals import services as seals

    require(by, Permission.COURSE_TEACH)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the certificate")})
    with transaction.atomic():
        certificate = Certificate.objects.for_user(by).select_for_update().filter(pk=certificate_id).first()
        if certificate is None:
            raise PermissionDenied(_("This certificate is not in your authority."))
        if certificate.is_revoked:
            raise ValidationError({"reason": _("This certificate is already revoked.")})
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason[:MAX_REASONS]
        certificate.save()
        seals.revoke_serial(certificate.authority, certificate.number, reason, by=by)
        audit.record(by, TrainingAuditKind.CERTIFICATE_REVOKE, certificate, {"number": certificate.number})
    return certificate
