"""Fixtures for the course's Django tests: the training sandbox (XT), its trainee and instructor, a cohort."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from attkit.core.models import Authority
from attkit.core.permissions import Role
from attkit.seals import verification
from attkit.training import content_loader as loader
from attkit.training import course


@pytest.fixture(autouse=True)
def _keys_in_the_database(settings: Any) -> None:
    # Encrypted keys in the test database: no key file is written under var/keys.
    settings.KEY_ENCRYPTION_KEY = "test-key-encryption-key-for-training-tests-0123456789"


@pytest.fixture(autouse=True)
def _fresh_trust() -> Iterator[None]:
    verification.clear_trust_cache()
    yield
    verification.clear_trust_cache()


@pytest.fixture
def xt(make_authority: Callable[..., Authority]) -> Authority:
    return make_authority(
        "XT",
        country="XT",
        name_en="Training sandbox (fictional state)",
        name_es="Entorno de práctica (Estado ficticio)",
        is_sandbox=True,
    )


@pytest.fixture
def trainee(xt: Authority, make_user: Callable[..., Any]) -> Any:
    return make_user(xt, Role.TRAINEE, username="xt.trainee", first_name="Ana", last_name="Ruiz", language="es")


@pytest.fixture
def instructor(xt: Authority, make_user: Callable[..., Any]) -> Any:
    return make_user(xt, Role.INSTRUCTOR, username="xt.instructor", first_name="Luis", last_name="Mora")


@pytest.fixture
def cohort(instructor: Any, trainee: Any) -> Any:
    from attkit.training import services

    made = services.create_cohort(
        by=instructor,
        name="Costa Rica 2026",
        country="CR",
        starts_on=dt.date(2026, 10, 5),
        ends_on=dt.date(2026, 10, 8),
    )
    services.enrol(made.pk, by=instructor, trainee_id=trainee.pk)
    return made


def right_answers(questions: tuple[loader.Question, ...]) -> dict[str, Any]:
    """The answers the grader counts right, as the service takes them."""
    out: dict[str, Any] = {}
    for q in questions:
        answer = q.correct_answer
        out[q.id] = dict(answer) if isinstance(answer, dict) else answer
    return out


def right_post(questions: tuple[loader.Question, ...]) -> dict[str, str]:
    """The quiz form's POST data with every answer right."""
    data: dict[str, str] = {}
    for q in questions:
        if q.type is loader.QuestionType.MULTIPLE_CHOICE:
            data[f"q_{q.id}"] = str(q.correct_option)
        elif q.type is loader.QuestionType.TRUE_FALSE:
            data[f"q_{q.id}"] = "true" if q.correct_bool else "false"
        else:
            for pair in q.pairs:
                data[f"q_{q.id}__{pair.id}"] = pair.id
    return data


@pytest.fixture
def pass_all_quizzes() -> Callable[[Any], None]:
    from attkit.training import services

    def run(user: Any) -> None:
        for module_id in course.module_ids():
            attempt = services.start_attempt(module_id, by=user)
            services.submit_attempt(attempt.pk, by=user, answers=right_answers(services.questions_of(attempt, "en")))

    return run


@pytest.fixture
def pass_a_case() -> Callable[[Any, str], Any]:
    from attkit.training import services

    def run(user: Any, case_id: str = "case-01-embargo-haiti") -> Any:
        from attkit.training import sandbox
        from tests.training.casework import propose_the_model_answer

        case = course.case(case_id)
        started = services.start_simulation(case_id, by=user)
        if sandbox.works_on_case(case):  # worked on the real case screens, scored from the case
            propose_the_model_answer(started, user)
            return services.submit_case_work(started.pk, by=user)
        return services.submit_simulation(
            started.pk,
            by=user,
            decision=case.model_answer.decision.value,
            criteria=list(case.model_answer.criteria),
            reasons="The destination is under a UN Security Council arms embargo.",
        )

    return run
