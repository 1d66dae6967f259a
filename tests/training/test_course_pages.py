"""Course delivery pages: index, module and lesson in the user's language, lessons marked read, progress."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attkit.core.permissions import Role
from attkit.training import course
from attkit.training.models import LessonProgress
from tests.core.test_i18n import ENGLISH_ONLY, _VisibleText, english_words

pytestmark = pytest.mark.django_db


def spanish_page_english(html: str) -> set[str]:
    """English words a reader sees, as tests/core/test_i18n.py finds them, but with Unicode word boundaries:
    its ASCII tokens split Spanish words such as "prohíbe" into "prohí" and "be"."""
    parser = _VisibleText()
    parser.feed(html)
    words = re.findall(r"[^\W\d_]+", " ".join(parser.chunks))
    return {w for w in words if w.lower() in ENGLISH_ONLY}


def _client(user, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client


@pytest.mark.parametrize("lang", ["en", "es"])
def test_content_follows_the_active_language(trainee, lang):
    client = _client(trainee, lang)
    module = course.course(lang).modules[0]
    lesson = module.lessons[0]
    index = client.get("/training/")
    assert index.status_code == 200
    assert module.title in index.content.decode()
    page = client.get(f"/training/modules/{module.id}/lessons/{lesson.id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert lesson.title in html
    assert lesson.objectives[0] in html
    assert lesson.key_points[0] in html
    assert ("Artículo" if lang == "es" else "Art.") in html or "Art." in html
    assert "<table" in html  # Markdown tables are rendered
    if lang == "es":
        assert not spanish_page_english(html), spanish_page_english(html)
        assert not english_words(html), english_words(html)


def test_lesson_text_is_escaped(trainee, monkeypatch):
    from attkit.training import markup

    html = markup.render("Hello <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_marking_lessons_read_moves_on_and_counts(trainee):
    client = _client(trainee)
    module = course.course("en").modules[0]
    first, second = module.lessons[0], module.lessons[1]
    response = client.post(f"/training/modules/{module.id}/lessons/{first.id}/read/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/lessons/{second.id}/")
    client.post(f"/training/modules/{module.id}/lessons/{first.id}/read/")  # idempotent
    assert LessonProgress.objects.filter(user=trainee).count() == 1
    for lesson in module.lessons[1:]:
        last = client.post(f"/training/modules/{module.id}/lessons/{lesson.id}/read/")
    assert last["Location"].endswith(f"/training/modules/{module.id}/")
    page = client.get(f"/training/modules/{module.id}/").content.decode()
    assert page.count('data-state="done"') >= len(module.lessons)
    index = client.get("/training/").content.decode()
    assert f"{len(module.lessons)} / {len(module.lessons)}" in index


def test_unknown_module_or_lesson_is_not_found(trainee):
    client = _client(trainee)
    assert client.get("/training/modules/m99/").status_code == 404
    assert client.get("/training/modules/m01/lessons/m02-l01/").status_code == 404
    assert client.post("/training/modules/m01/lessons/nope/read/").status_code == 404


def test_officials_of_real_states_take_the_course_too(make_user):
    official = make_user("MX", Role.LICENSING_OFFICER)
    client = _client(official)
    assert client.get("/training/").status_code == 200
    module = course.course("en").modules[0]
    client.post(f"/training/modules/{module.id}/lessons/{module.lessons[0].id}/read/")
    assert LessonProgress.objects.get(user=official).authority.code == "MX"


def test_applicants_cannot_take_the_course(make_user):
    applicant = make_user("MX", Role.APPLICANT)
    assert _client(applicant).get("/training/").status_code == 403


def test_every_training_page_in_spanish(trainee, instructor, cohort, pass_all_quizzes, pass_a_case):
    from attkit.training import services
    from attkit.training.models import Certificate

    pass_all_quizzes(trainee)
    run = pass_a_case(trainee)
    services.comment_simulation(run.pk, by=instructor, text="Bien resuelto.")
    open_run = services.start_simulation("case-02-forged-euc", by=trainee)
    attempt = services.start_attempt("m02", by=trainee)
    services.issue_certificate(by=trainee)
    cert = Certificate.objects.get(trainee=trainee)
    module = course.course("es").modules[1]
    pages_trainee = [
        "/training/",
        f"/training/modules/{module.id}/",
        f"/training/modules/{module.id}/lessons/{module.lessons[0].id}/",
        f"/training/attempts/{attempt.pk}/",
        "/training/simulation/",
        f"/training/simulation/{run.pk}/",
        f"/training/simulation/{open_run.pk}/",
        f"/training/simulation/{open_run.pk}/?verify=seal",
        f"/training/simulation/{open_run.pk}/decision/",
        f"/training/certificates/{cert.pk}/",
    ]
    from attkit.training.models import QuizAttempt

    submitted = QuizAttempt.objects.filter(user=trainee, submitted_at__isnull=False).first()
    pages_trainee.append(f"/training/attempts/{submitted.pk}/")
    pages_instructor = [
        "/training/cohorts/",
        "/training/cohorts/new/",
        f"/training/cohorts/{cohort.pk}/",
        f"/training/reviews/{run.pk}/",
        f"/training/certificates/{cert.pk}/revoke/",
    ]
    found = {}
    for user, urls in ((trainee, pages_trainee), (instructor, pages_instructor)):
        client = _client(user, "es")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            words = spanish_page_english(response.content.decode())
            if words:
                found[url] = words
    assert not found, found
