"""The demo gives the sandbox a cohort with xt.trainee enrolled and some progress; loading twice changes nothing."""

from __future__ import annotations

import pytest

from attkit.core import demo
from attkit.training import progress
from attkit.training.demo import COHORT_NAME
from attkit.training.models import Cohort, Enrolment, LessonProgress, QuizAttempt

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    ctx = demo.load(quick=True)
    cohort = Cohort.objects.get(name=COHORT_NAME)
    assert cohort.authority.code == "XT" and cohort.authority.is_sandbox
    trainee = ctx.users["xt.trainee"]
    assert Enrolment.objects.filter(cohort=cohort, trainee=trainee).exists()
    standing = progress.progress_of(trainee)
    assert standing.modules[0].passed and standing.modules[0].all_read
    counts = (
        Cohort.objects.count(),
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        QuizAttempt.objects.count(),
    )
    demo.load(quick=True)
    assert counts == (
        Cohort.objects.count(),
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        QuizAttempt.objects.count(),
    )
