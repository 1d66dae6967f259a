"""Quizzes through the pages: a seeded draw per attempt, grading with feedback, passing, attempts kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attkit.training import course, services
from attkit.training.models import QuizAttempt
from tests.training.conftest import right_post

pytestmark = pytest.mark.django_db

MODULE = "m03"


def _client(user, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client


def _start(client: Client) -> QuizAttempt:
    response = client.post(f"/training/modules/{MODULE}/quiz/")
    assert response.status_code == 302
    pk = response["Location"].rstrip("/").split("/")[-1]
    return QuizAttempt.objects.get(pk=pk)


def _shown(html: str) -> list[str]:
    return re.findall(r'data-question="([^"]+)"', html)


def test_an_attempt_renders_the_same_every_time_and_attempts_differ(trainee):
    client = _client(trainee)
    attempt = _start(client)
    first = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    again = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    assert _shown(first) == _shown(again) == attempt.question_ids
    assert len(attempt.question_ids) == course.course("en").module(MODULE).questions_per_attempt
    # the same attempt in Spanish: same questions, same order
    spanish = _client(trainee, "es").get(f"/training/attempts/{attempt.pk}/").content.decode()
    assert _shown(spanish) == attempt.question_ids
    # starting again while an attempt is open resumes it
    assert _start(client).pk == attempt.pk
    draws = {tuple(attempt.question_ids)}
    for _ in range(5):
        client.post(
            f"/training/attempts/{_start(client).pk}/",
            right_post(services.questions_of(QuizAttempt.objects.filter(user=trainee, submitted_at=None).get())),
        )
        draws.add(tuple(QuizAttempt.objects.filter(user=trainee).order_by("-created_at").first().question_ids))
    assert len(draws) > 1  # attempts are randomised


def test_all_right_passes_with_feedback(trainee):
    client = _client(trainee)
    attempt = _start(client)
    response = client.post(f"/training/attempts/{attempt.pk}/", right_post(services.questions_of(attempt, "en")))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 1.0
    assert attempt.passed
    result = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    assert 'data-passed="true"' in result
    assert "100 %" in result
    quiz = course.course("en").module(MODULE).quiz
    for qid in attempt.question_ids:
        assert quiz.question(qid).explanation.replace("'", "&#x27;").replace('"', "&quot;")[:40] in result
    # a submitted attempt cannot be submitted again
    again = client.post(f"/training/attempts/{attempt.pk}/", right_post(services.questions_of(attempt, "en")))
    assert again.status_code == 200
    assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at == attempt.submitted_at


def test_wrong_answers_fail_and_the_right_answer_is_explained(trainee):
    client = _client(trainee)
    attempt = _start(client)
    questions = services.questions_of(attempt, "en")
    data = right_post(questions)
    wrong = 0
    for q in questions:
        if q.type.value == "true_false":
            data[f"q_{q.id}"] = "false" if q.correct_bool else "true"
            wrong += 1
        elif q.type.value == "multiple_choice":
            data[f"q_{q.id}"] = next(o.id for o in q.options if o.id != q.correct_option)
            wrong += 1
        else:
            ids = [p.id for p in q.pairs]
            for pair, other in zip(q.pairs, ids[1:] + ids[:1], strict=True):
                data[f"q_{q.id}__{pair.id}"] = other
            wrong += 1
    client.post(f"/training/attempts/{attempt.pk}/", data)
    attempt.refresh_from_db()
    assert attempt.score == 0.0
    assert not attempt.passed
    result = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    assert 'data-passed="false"' in result
    assert result.count('data-correct="false"') == wrong
    assert "The right answer" in result


def test_unanswered_questions_are_named_in_the_error_summary(trainee):
    client = _client(trainee)
    attempt = _start(client)
    response = client.post(f"/training/attempts/{attempt.pk}/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-summary" in html
    assert "Answer question 1" in html or "Question 1: choose a match for every item" in html
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_passing_score_comes_from_modules_json(trainee):
    attempt = services.start_attempt(MODULE, by=trainee)
    assert attempt.passing_score == course.course("en").module(MODULE).passing_score == 0.7


def test_someone_elses_attempt_is_not_found(trainee, make_user, xt):
    from attkit.core.permissions import Role

    attempt = services.start_attempt(MODULE, by=trainee)
    other = make_user(xt, Role.TRAINEE)
    assert _client(other).get(f"/training/attempts/{attempt.pk}/").status_code == 404
    assert _client(other).post(f"/training/attempts/{attempt.pk}/", {}).status_code == 404
