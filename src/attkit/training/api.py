"""Course API: the course outline in a language, the caller's progress, and a cohort's progress (instructors)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils import translation
from ninja import Router, Schema

from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, require
from attkit.training import content_loader, course, progress
from attkit.training.models import Cohort

router = Router(tags=["training"])


class ErrorOut(Schema):
    detail: Any


class LessonOut(Schema):
    id: str
    title: str
    articles: list[str]


class ModuleOut(Schema):
    id: str
    order: int
    title: str
    summary: str
    lessons: list[LessonOut]
    passing_score: float
    questions_per_attempt: int


class ModuleProgressOut(Schema):
    module: str
    lessons_read: int
    lessons_total: int
    best_score: float | None
    attempts: int
    passed: bool


class SimulationOut(Schema):
    case: str
    score: float | None
    passed: bool


class ProgressOut(Schema):
    username: str
    modules: list[ModuleProgressOut]
    simulations: list[SimulationOut]
    eligible: bool
    certificate: str | None


def _progress_out(username: str, standing: progress.Progress) -> dict[str, Any]:
    return {
        "username": username,
        "modules": [
            {
                "module": m.module_id,
                "lessons_read": m.read_count,
                "lessons_total": m.lessons_total,
                "best_score": m.best_score,
                "attempts": m.attempts,
                "passed": m.passed,
            }
            for m in standing.modules
        ],
        "simulations": [
            {"case": case_id, "score": sim.score, "passed": sim.passed}
            for case_id, sim in sorted(standing.best_simulation.items())
        ],
        "eligible": standing.eligible,
        "certificate": standing.certificate.number if standing.certificate else None,
    }


@router.get("/modules", response={200: list[ModuleOut], 404: ErrorOut})
def modules(request: AuthedRequest, lang: str = "en") -> list[dict[str, Any]]:
    """The course outline (modules, lessons, quiz settings) in English or Spanish."""
    require(request.user, Permission.COURSE_TAKE)
    if lang not in content_loader.LANGUAGES:
        raise Http404
    with translation.override(lang):
        active = course.course(lang)
    return [
        {
            "id": m.id,
            "order": m.order,
            "title": m.title,
            "summary": m.summary,
            "lessons": [{"id": les.id, "title": les.title, "articles": list(les.articles)} for les in m.lessons],
            "passing_score": m.passing_score,
            "questions_per_attempt": m.questions_per_attempt,
        }
        for m in active.modules
    ]


@router.get("/progress", response=ProgressOut)
def my_progress(request: AuthedRequest) -> dict[str, Any]:
    """The caller's lessons read, best quiz scores, simulation results and certificate."""
    require(request.user, Permission.COURSE_TAKE)
    return _progress_out(request.user.username, progress.progress_of(request.user))


@router.get("/cohorts/{cohort_id}/progress", response=list[ProgressOut])
def cohort_progress(request: AuthedRequest, cohort_id: UUID) -> list[dict[str, Any]]:
    """Every enrolled trainee's progress (instructors of the cohort's authority)."""
    require(request.user, Permission.COURSE_TEACH)
    cohort = Cohort.objects.for_user(request.user).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    enrolments = list(cohort.enrolments.select_related("trainee"))
    standing = progress.progress_of_many(request.user, [e.trainee_id for e in enrolments])
    return [_progress_out(e.trainee.username, standing[e.trainee_id]) for e in enrolments]
