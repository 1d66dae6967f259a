"""The course in Spanish, in Chromium: a trainee completes a module, passes its quiz, works a simulation case
(a certificate to verify, then a licensing officer's case on the real case and assessment screens) and receives
a certificate that verifies; the instructor follows the cohort's progress.

The other seven modules' quizzes are passed through the services beforehand (the certificate needs all eight);
the quiz in the browser is answered with the right answers read from the content loader.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from attkit.assessment import services as assessment_services
from attkit.core.models import Authority
from attkit.core.permissions import Role
from attkit.seals import qr
from attkit.training import content_loader as loader
from attkit.training import course, services
from attkit.training.models import QuizAttempt
from tests.conftest import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _keys_in_the_database(settings: Any) -> None:
    settings.KEY_ENCRYPTION_KEY = "e2e-key-encryption-key-for-the-training-journey-0123"


def sign_out(page: Any) -> None:
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()


def submit(page: Any, testid: str) -> None:
    page.click(f"[data-testid={testid}]")
    page.wait_for_load_state()


def assert_accessible(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()


def pick(page: Any, selector: str) -> None:
    """Tick a USWDS radio or checkbox as a user does: by its label (the input itself is drawn off-screen)."""
    page.click(f"label[for='{page.get_attribute(selector, 'id')}']")


def answer_right(page: Any, question: loader.Question) -> None:
    if question.type is loader.QuestionType.MULTIPLE_CHOICE:
        pick(page, f"input[name='q_{question.id}'][value='{question.correct_option}']")
    elif question.type is loader.QuestionType.TRUE_FALSE:
        pick(page, f"input[name='q_{question.id}'][value='{'true' if question.correct_bool else 'false'}']")
    else:
        for pair in question.pairs:
            page.select_option(f"select[name='q_{question.id}__{pair.id}']", pair.id)


def test_a_trainee_completes_the_course_in_spanish(live_server, page, sign_in, make_user, tmp_path: Path):
    xt = Authority.objects.create(
        code="XT", country="XT", name_en="Training sandbox", name_es="Entorno de práctica", is_sandbox=True
    )
    trainee = make_user(xt, Role.TRAINEE, username="xt.alumna", first_name="Ana", last_name="Ruiz", language="es")
    instructor = make_user(xt, Role.INSTRUCTOR, username="xt.profesor", first_name="Luis", last_name="Mora")
    make_user(xt, Role.EUC_VERIFIER, username="xt.verificador", language="es")
    cohort = services.create_cohort(
        by=instructor,
        name="Costa Rica 2026",
        country="CR",
        starts_on=dt.date(2026, 10, 5),
        ends_on=dt.date(2026, 10, 8),
    )
    services.enrol(cohort.pk, by=instructor, trainee_id=trainee.pk)
    for module_id in course.module_ids()[1:]:
        attempt = services.start_attempt(module_id, by=trainee)
        answers = {}
        for q in services.questions_of(attempt, "es"):
            answers[q.id] = dict(q.correct_answer) if isinstance(q.correct_answer, dict) else q.correct_answer
        services.submit_attempt(attempt.pk, by=trainee, answers=answers)
    first = course.course("es").modules[0]

    # 1. The trainee opens the course in Spanish and reads every lesson of module 1.
    sign_in(page, "xt.alumna", PASSWORD)
    if page.locator("[data-testid=lang-es]").count():
        page.click("[data-testid=lang-es]")
        page.wait_for_load_state()
    page.click("nav >> text=Curso")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "El curso de aplicación del Tratado sobre el Comercio de Armas"
    assert_accessible(page)
    page.click(f"text={first.order}. {first.title}")
    page.wait_for_load_state()
    page.click(f"[data-testid=lessons] >> text={first.lessons[0].title}")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == first.lessons[0].title
    assert "Objetivos de aprendizaje" in page.content()
    assert_accessible(page)
    for lesson in first.lessons:
        assert page.locator("h1").inner_text() == lesson.title
        submit(page, "mark-read")
    assert page.locator("[data-testid=lessons] [data-state=done]").count() == len(first.lessons)

    # 2. The quiz: an attempt of its own, answered right, graded with explanations.
    submit(page, "start-quiz")
    attempt = QuizAttempt.objects.get(user=trainee, module_id=first.id, submitted_at__isnull=True)
    assert page.url.rstrip("/").endswith(str(attempt.pk))
    assert_accessible(page)
    for question in services.questions_of(attempt, "es"):
        answer_right(page, question)
    submit(page, "submit-quiz")
    assert page.locator("[data-testid=quiz-result]").get_attribute("data-passed") == "true"
    assert page.locator("[data-testid=quiz-result] h2").inner_text() == "Aprobado"
    assert page.locator("[data-testid=score]").inner_text() == "100 %"
    assert "Por qué" in page.content()

    # 3. A simulation case: staged in the sandbox, the seal verified, the decision submitted and scored.
    page.goto(f"{live_server.url}/training/simulation/")
    page.click("tr[data-case='case-02-forged-euc'] [data-testid=start-case]")
    page.wait_for_load_state()
    seal_text = page.locator("[data-testid=seal-text]").input_value()
    assert seal_text.startswith("EUC1:")
    case_url = page.url
    # In the sandbox the trainee verifies on the real verification page, as an exporting state's officer would.
    page.goto(f"{live_server.url}/verify/")
    page.fill("#paste-form textarea", seal_text)
    page.click("#paste-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") == "unknown_signer"
    assert_accessible(page)
    page.goto(case_url)
    submit(page, "decide")
    pick(page, "input[name=decision][value=refuse]")
    pick(page, "input[name=criteria][value='11']")
    pick(page, "input[name=criteria][value=proportionality]")
    page.fill(
        "#id_reasons", "El sello del certificado no se verifica: la clave no es de confianza. Corredor sin explicar."
    )
    assert_accessible(page)
    submit(page, "submit-decision")
    result = page.locator("[data-testid=simulation-result]")
    assert result.get_attribute("data-passed") == "true"
    assert page.locator("[data-testid=score]").inner_text() == "100 %"
    assert "La respuesta modelo" in page.content()

    # 3b. A licensing officer's case, worked on the real case screens: the application is in the sandbox's queue
    # with its embargo flag; the trainee confirms the flag, clears screening, assesses under Arts 6, 7 and 11,
    # proposes the refusal, and the simulation scores what the case holds.
    page.goto(f"{live_server.url}/training/simulation/")
    page.click("tr[data-case='case-01-embargo-haiti'] [data-testid=start-case]")
    page.wait_for_load_state()
    run_url = page.url
    reference = page.locator("[data-testid=real-case] strong[translate=no]").first.inner_text().strip()
    assert re.fullmatch(r"XT-LIC-\d{4}-\d{6}", reference)
    assert page.locator("[data-testid=score-case]").count() == 0  # nothing to score before a proposal
    assert_accessible(page)
    page.goto(f"{live_server.url}/cases/")  # the application waits in the sandbox's queue
    assert reference in page.locator("main").inner_text()
    page.goto(run_url)
    submit(page, "open-case")
    assert page.locator("[data-testid=case-reference]").inner_text().strip() == reference
    assert "embargo" in page.locator("[data-testid=flags]").inner_text().lower()
    assert_accessible(page)
    while page.locator("[data-testid=flags] a[href$='/resolve/']").count():
        page.locator("[data-testid=flags] a[href$='/resolve/']").first.click()
        page.wait_for_load_state()
        pick(page, "input[name=resolution][value=confirmed]")
        page.fill("textarea[name=reason]", "Embargo de armas de las Naciones Unidas sobre Haití: se aplica.")
        submit(page, "confirm")
    page.click("[data-testid=actions] a[href$='/screening-clear/']")
    page.wait_for_load_state()
    submit(page, "confirm")
    page.click("[data-testid=actions] a[href^='/assessment/cases/']")
    page.wait_for_load_state()
    assert_accessible(page)
    for question in assessment_services.bank().questions:
        gate = question.kind.value == "gate"
        value = "yes" if question.code == "art6.1.destination" else ("no" if gate else "none")
        pick(page, f"input[name='{question.code}:value'][value='{value}']")
    page.fill(
        "textarea[name='art6.1.destination:evidence']",
        "Resoluciones 2699 (2023) y 2752 (2024): embargo territorial; el comprador es una empresa privada.",
    )
    submit(page, "save-assessment")
    submit(page, "complete-assessment")
    assert page.locator("[data-testid=assessment-required]").is_visible()  # back on the case: refusal required
    page.click("[data-testid=actions] a[href$='/decision/']")
    page.wait_for_load_state()
    pick(page, "input[name=outcome][value=refuse]")
    pick(page, "input[name=criteria][value='ATT-6.1']")
    page.fill(
        "textarea[name=reasons]", "El embargo de armas de las Naciones Unidas sobre Haití prohíbe la exportación."
    )
    assert_accessible(page)
    submit(page, "confirm")
    assert "ATT-6.1" in page.content()
    page.goto(run_url)
    submit(page, "score-case")
    assert page.locator("[data-testid=simulation-result]").get_attribute("data-passed") == "true"
    assert page.locator("[data-testid=score]").inner_text() == "100 %"
    assert "Denegar" in page.locator("[data-testid=simulation-result]").inner_text()
    assert_accessible(page)

    # 4. The certificate: issued, downloaded, its QR seal read back and verified by a sandbox verifier.
    page.goto(f"{live_server.url}/training/certificate/")
    submit(page, "issue-certificate")
    number = page.locator("[data-testid=certificate-number]").inner_text().strip()
    assert re.fullmatch(r"XT-CRT-\d{4}-\d{6}", number)
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.click("[data-testid=certificate-pdf]")
    pdf_path = tmp_path / f"{number}.pdf"
    download_info.value.save_as(pdf_path)
    scanned = qr.scan_pdf(pdf_path.read_bytes())
    assert len(scanned.texts) == 1 and scanned.texts[0].startswith("CRT1:")
    sign_out(page)

    sign_in(page, "xt.verificador", PASSWORD)
    page.goto(f"{live_server.url}/seals/verify/")
    page.set_input_files("#id_upload-file", str(pdf_path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") == "valid"
    assert number in page.content()
    sign_out(page)

    # 5. The instructor follows the cohort's progress and sees the decision to review.
    sign_in(page, "xt.profesor", PASSWORD)
    if page.locator("[data-testid=lang-es]").count():
        page.click("[data-testid=lang-es]")
        page.wait_for_load_state()
    page.click("nav >> text=Grupos")
    page.wait_for_load_state()
    page.click("text=Costa Rica 2026")
    page.wait_for_load_state()
    row = page.locator("tr[data-trainee='xt.alumna']")
    assert f"{len(first.lessons)}/{len(first.lessons)}" in row.inner_text()
    assert number in row.inner_text()
    assert "case-02-forged-euc: 100 %" in row.inner_text()
    assert "case-01-embargo-haiti: 100 %" in row.inner_text()
    assert page.locator("[data-testid=submissions]").is_visible()
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page)
