"""Where a trainee stands: lessons read, best quiz score per module, simulation scores, certificate eligibility."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from attkit.training import course
from attkit.training.models import Certificate, CertificateStatus, LessonProgress, QuizAttempt, SimulationRun

if TYPE_CHECKING:
    from attkit.accounts.models import User


@dataclass
class ModuleProgress:
    module_id: str
    lessons_total: int
    lessons_read: set[str] = field(default_factory=set)
    best_score: float | None = None
    attempts: int = 0
    passed: bool = False

    @property
    def read_count(self) -> int:
        return len(self.lessons_read)

    @property
    def all_read(self) -> bool:
        return self.read_count >= self.lessons_total

    @property
    def complete(self) -> bool:
        return self.all_read and self.passed

    @property
    def best_percent(self) -> int | None:
        return None if self.best_score is None else round(self.best_score * 100)


@dataclass
class SimulationResult:
    case_id: str
    run_id: str
    score: float | None
    passed: bool
    submitted: bool

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


@dataclass
class Progress:
    user_id: Any
    modules: list[ModuleProgress]
    simulations: list[SimulationResult]
    certificate: Certificate | None = None

    def module(self, module_id: str) -> ModuleProgress:
        return next(m for m in self.modules if m.module_id == module_id)

    @property
    def quizzes_passed(self) -> int:
        return sum(1 for m in self.modules if m.passed)

    @property
    def all_quizzes_passed(self) -> bool:
        return all(m.passed for m in self.modules)

    @property
    def simulation_passed(self) -> bool:
        return any(s.passed for s in self.simulations)

    @property
    def best_simulation(self) -> dict[str, SimulationResult]:
        """The best submitted run of each case."""
        best: dict[str, SimulationResult] = {}
        for result in self.simulations:
            if not result.submitted:
                continue
            held = best.get(result.case_id)
            if held is None or (result.score or 0) > (held.score or 0):
                best[result.case_id] = result
        return best

    @property
    def eligible(self) -> bool:
        """Every module's quiz passed and at least one simulation case passed."""
        return self.all_quizzes_passed and self.simulation_passed


def _empty(user_id: Any) -> Progress:
    modules = [ModuleProgress(mid, len(course.lesson_ids(mid))) for mid in course.module_ids()]
    return Progress(user_id=user_id, modules=modules, simulations=[])


def progress_of_many(viewer: User, user_ids: Iterable[Any]) -> dict[Any, Progress]:
    """Progress of several users of the viewer's authority, in four queries (tenancy applies to each)."""
    ids = list(user_ids)
    result = {uid: _empty(uid) for uid in ids}
    known_lessons = {mid: set(course.lesson_ids(mid)) for mid in course.module_ids()}
    for user_id, module_id, lesson_id in (
        LessonProgress.objects.for_user(viewer).filter(user_id__in=ids).values_list("user_id", "module_id", "lesson_id")
    ):
        if lesson_id in known_lessons.get(module_id, ()):
            result[user_id].module(module_id).lessons_read.add(lesson_id)
    attempts = (
        QuizAttempt.objects.for_user(viewer)
        .filter(user_id__in=ids, submitted_at__isnull=False)
        .values_list("user_id", "module_id", "score", "passed")
    )
    by_module: dict[tuple[Any, str], list[tuple[float, bool]]] = defaultdict(list)
    for user_id, module_id, score, passed in attempts:
        by_module[(user_id, module_id)].append((score or 0.0, passed))
    for (user_id, module_id), rows in by_module.items():
        if module_id not in known_lessons:
            continue
        item = result[user_id].module(module_id)
        item.attempts = len(rows)
        item.best_score = max(score for score, _passed in rows)
        item.passed = any(passed for _score, passed in rows)
    for run in SimulationRun.objects.for_user(viewer).filter(trainee_id__in=ids).order_by("created_at"):
        result[run.trainee_id].simulations.append(
            SimulationResult(run.case_id, str(run.pk), run.score, run.passed, run.is_submitted)
        )
    for cert in Certificate.objects.for_user(viewer).filter(trainee_id__in=ids, status=CertificateStatus.ISSUED):
        result[cert.trainee_id].certificate = cert
    return result


def progress_of(user: User, viewer: User | None = None) -> Progress:
    return progress_of_many(viewer or user, [user.pk])[user.pk]
