"""The demo gives the sandbox a cohort with xt.trainee enrolled and some progress; loading twice changes nothing."""

from __future__ import annotations

import pytest
from django.db import transaction

from attkit.core import demo
from attkit.training import demo as training_demo
from attkit.training import progress
from attkit.training.demo import COHORT_NAME
from attkit.training.models import Cohort, Enrolment, LessonProgress, QuizAttempt

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Cohort.objects.count(),
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        QuizAttempt.objects.count(),
    )


def test_demo_is_idempotent():
    # The demo's accounts (authorities and one login per role) without the other apps' demo data.
    ctx = demo.DemoContext()
    with transaction.atomic():
        demo._load_accounts(ctx)
    training_demo.load(ctx)
    cohort = Cohort.objects.get(name=COHORT_NAME)
    assert cohort.authority.code == "XT" and cohort.authority.is_sandbox
    trainee = ctx.users["xt.trainee"]
    assert Enrolment.objects.filter(cohort=cohort, trainee=trainee).exists()
    standing = progress.progress_of(trainee)
    assert standing.modules[0].passed and standing.modules[0].all_read
    counts = _counts()
    training_demo.load(ctx)
    assert _counts() == counts


def test_training_runs_last_in_the_demo():
    assert demo.DEMO_APPS[-1] == "training"
