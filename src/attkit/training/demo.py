"""Demo data for the course: a cohort in the training sandbox with xt.trainee enrolled and a first module done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attkit.training import course, services
from attkit.training.models import Cohort, Enrolment, QuizAttempt

COHORT_NAME = "Curso piloto de aplicación del TCA — Costa Rica"


def load(ctx: Any, *, quick: bool = False) -> None:
    instructor = ctx.users.get("xt.instructor")
    trainee = ctx.users.get("xt.trainee")
    if instructor is None or trainee is None:
        return
    cohort = Cohort.objects.filter(authority=instructor.authority, name=COHORT_NAME).first()
    if cohort is None:
        today = dt.date.today()
        cohort = services.create_cohort(
            by=instructor,
            name=COHORT_NAME,
            country="CR",
            starts_on=today - dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=2),
        )
        ctx.notes.append(f"training: cohort {cohort.name!r} in {cohort.authority.code}")
    if not Enrolment.objects.filter(cohort=cohort, trainee=trainee).exists():
        services.enrol(cohort.pk, by=instructor, trainee_id=trainee.pk)
    first = course.course("en").modules[0]
    for lesson in first.lessons:
        services.mark_lesson_read(lesson.id, by=trainee)
    if not QuizAttempt.objects.filter(user=trainee, module_id=first.id, passed=True).exists():
        attempt = services.start_attempt(first.id, by=trainee)
        answers: dict[str, Any] = {}
        for question in services.questions_of(attempt, "en"):
            expected = question.correct_answer
            answers[question.id] = dict(expected) if isinstance(expected, dict) else expected
        services.submit_attempt(attempt.pk, by=trainee, answers=answers)
