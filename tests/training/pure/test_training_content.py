"""The course content loads in English and Spanish, matches across languages, and respects the accuracy rules."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from attkit.training.content_loader import (
    CONTENT_DIR,
    LANGUAGES,
    Course,
    Lesson,
    QuestionType,
    compare_courses,
    load_course,
    load_module_settings,
)

FICTIONAL_LABEL = {"en": "**Illustrative, fictional case.**", "es": "**Caso ilustrativo ficticio.**"}


@pytest.fixture(scope="module")
def courses() -> dict[str, Course]:
    return {lang: load_course(lang) for lang in LANGUAGES}


def lessons(course: Course) -> Iterator[Lesson]:
    for module in course.modules:
        yield from module.lessons


def lesson_text(lesson: Lesson) -> str:
    return "\n".join([lesson.title, *lesson.objectives, *lesson.key_points, lesson.body])


def module_text(course: Course, module_id: str) -> str:
    module = course.module(module_id)
    parts = [module.title, module.summary, module.body, *(lesson_text(lesson) for lesson in module.lessons)]
    for question in module.quiz.questions:
        parts += [question.prompt, question.explanation]
        parts += [option.text for option in question.options if option.id == question.correct_option]
        parts += [f"{pair.left} {pair.right}" for pair in question.pairs]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_course_loads_with_eight_modules_of_two_to_four_lessons(courses: dict[str, Course], lang: str) -> None:
    course = courses[lang]
    assert [module.id for module in course.modules] == [f"m{n:02d}" for n in range(1, 9)]
    for module in course.modules:
        assert 2 <= len(module.lessons) <= 4
        assert module.title
        assert module.summary
        assert module.body.strip()


def test_both_languages_have_the_same_ids_answers_and_article_references(courses: dict[str, Course]) -> None:
    assert compare_courses(courses["en"], courses["es"]) == []
    for mod_en, mod_es in zip(courses["en"].modules, courses["es"].modules, strict=True):
        assert [lesson.id for lesson in mod_en.lessons] == [lesson.id for lesson in mod_es.lessons]
        assert [q.id for q in mod_en.quiz.questions] == [q.id for q in mod_es.quiz.questions]


def test_the_languages_are_actually_translated(courses: dict[str, Course]) -> None:
    for les_en, les_es in zip(lessons(courses["en"]), lessons(courses["es"]), strict=True):
        assert les_en.title != les_es.title
        assert les_en.body != les_es.body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_lesson_has_objectives_key_points_article_refs_and_sections(
    courses: dict[str, Course], lang: str
) -> None:
    for lesson in lessons(courses[lang]):
        assert len(lesson.objectives) >= 2, lesson.id
        assert len(lesson.key_points) >= 2, lesson.id
        assert lesson.articles, lesson.id
        assert "## " in lesson.body, lesson.id
        assert len(lesson.body.split()) > 250, lesson.id


def test_modules_json_sets_a_passing_score_and_attempt_size_per_module() -> None:
    settings = load_module_settings()
    assert len(settings) == 8
    for item in settings:
        assert 0 < item.passing_score <= 1
        assert item.questions_per_attempt >= 1
        assert (CONTENT_DIR / "en" / item.slug / "module.md").is_file()
        assert (CONTENT_DIR / "es" / item.slug / "module.md").is_file()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_quiz_is_well_formed(courses: dict[str, Course], lang: str) -> None:
    for module in courses[lang].modules:
        quiz = module.quiz
        assert len(quiz.questions) >= 8, module.id
        assert quiz.questions_per_attempt <= len(quiz.questions)
        assert {q.type for q in quiz.questions} == set(QuestionType), module.id
        for question in quiz.questions:
            assert question.explanation.strip(), question.id
            assert question.articles, question.id
            if question.type is QuestionType.MULTIPLE_CHOICE:
                assert 3 <= len(question.options) <= 5
                assert [o.id for o in question.options].count(question.correct_option) == 1
                assert len({o.text for o in question.options}) == len(question.options)
            elif question.type is QuestionType.TRUE_FALSE:
                assert isinstance(question.correct_bool, bool)
                assert not question.options
                assert not question.pairs
            else:
                assert len(question.pairs) >= 3
                assert len({p.left for p in question.pairs}) == len(question.pairs)
                assert len({p.right for p in question.pairs}) == len(question.pairs)
                assert question.correct_answer == {p.id: p.id for p in question.pairs}


def test_true_false_answers_are_not_all_the_same(courses: dict[str, Course]) -> None:
    answers = [q.correct_bool for m in courses["en"].modules for q in m.quiz.questions if q.correct_bool is not None]
    assert True in answers
    assert False in answers


# Official Spanish treaty terms (shared/data/i18n/att_glossary_en_es.csv) that each module must use.
OFFICIAL_ES_TERMS = {
    "m01": [
        "carros de combate",
        "vehículos blindados de combate",
        "aeronaves de combate",
        "armas pequeñas y armas ligeras",
    ],
    "m02": ["desvío", "tráfico ilícito", "Tratado sobre el Comercio de Armas"],
    "m03": ["riesgo manifiesto", "medidas de fomento de la confianza", "crímenes de lesa humanidad", "transbordo"],
    "m04": ["sistema nacional de control", "lista nacional de control", "autoridades nacionales competentes"],
    "m05": [
        "certificado de usuario final",
        "certificado de verificación de entrega",
        "verificación posterior al envío",
    ],
    "m06": [
        "riesgo manifiesto",
        "violencia por motivos de género",
        "medidas de fomento de la confianza",
        "programas elaborados y acordados conjuntamente",
        "derecho internacional humanitario",
        "derecho internacional de los derechos humanos",
        "delincuencia organizada transnacional",
    ],
    "m07": ["transbordo", "corretaje", "corredor"],
    "m08": [
        "informe inicial",
        "informe anual",
        "Registro de Armas Convencionales de las Naciones Unidas",
        "informe nulo",
    ],
}


@pytest.mark.parametrize(("module_id", "terms"), sorted(OFFICIAL_ES_TERMS.items()))
def test_spanish_uses_the_official_treaty_terms(courses: dict[str, Course], module_id: str, terms: list[str]) -> None:
    text = module_text(courses["es"], module_id)
    for term in terms:
        assert term in text, f"{module_id} es lacks the official term {term!r}"


def test_english_module_6_speaks_of_overriding_risk(courses: dict[str, Course]) -> None:
    assert "overriding risk" in module_text(courses["en"], "m06")


def spanish_files() -> list[tuple[str, str]]:
    return [(str(p.relative_to(CONTENT_DIR)), p.read_text(encoding="utf-8")) for p in (CONTENT_DIR / "es").rglob("*.*")]


@pytest.mark.parametrize("wrong", ["riesgo primordial", "trasbordo", "violencia de género"])
def test_spanish_never_uses_unofficial_renderings(wrong: str) -> None:
    for name, text in spanish_files():
        assert wrong not in text.lower(), f"{name} uses {wrong!r}"


def test_riesgo_preponderante_appears_only_as_a_wrong_quiz_option(courses: dict[str, Course]) -> None:
    for lesson in lessons(courses["es"]):
        assert "riesgo preponderante" not in lesson_text(lesson)
    for module in courses["es"].modules:
        for question in module.quiz.questions:
            assert "riesgo preponderante" not in question.explanation
            for option in question.options:
                if "riesgo preponderante" in option.text:
                    assert option.id != question.correct_option


# A number followed by a unit of magnitude, or a percentage, reads as a statistic.
STATISTIC_RE = re.compile(
    r"%|\bper ?cent\b|\bpor ciento\b|\bporcentaje\b|\b\d[\d.,]*\s*(?:million|billion|thousand|millones|miles de)\b",
    re.IGNORECASE,
)
# A count of states must sit in a paragraph that dates and sources it.
COUNT_RE = re.compile(r"\b\d{2,}\s+(?:states|signatories|signatarios|estados)\b", re.IGNORECASE)
SOURCE_CUE_RE = re.compile(r"as of|according to|según|a febrero de|al \d{1,2} de", re.IGNORECASE)


def all_texts(course: Course) -> Iterator[tuple[str, str]]:
    for module in course.modules:
        yield module.id, "\n".join([module.summary, module.body])
        for lesson in module.lessons:
            yield lesson.id, lesson_text(lesson)
        for q in module.quiz.questions:
            yield q.id, "\n".join([q.prompt, q.explanation, *(o.text for o in q.options), *(p.right for p in q.pairs)])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_percentage_or_magnitude_is_presented_as_a_statistic(courses: dict[str, Course], lang: str) -> None:
    for item_id, text in all_texts(courses[lang]):
        match = STATISTIC_RE.search(text)
        assert match is None, f"{item_id}: {match.group(0) if match else ''!r} looks like an unsourced statistic"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_of_states_are_dated_and_sourced(courses: dict[str, Course], lang: str) -> None:
    for lesson in lessons(courses[lang]):
        for paragraph in lesson.body.split("\n\n"):
            if COUNT_RE.search(paragraph):
                assert SOURCE_CUE_RE.search(paragraph), f"{lesson.id}: count without date or source: {paragraph[:80]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_illustrative_case_is_labelled_fictional(courses: dict[str, Course], lang: str) -> None:
    for lesson in lessons(courses[lang]):
        quotes = [line for line in lesson.body.splitlines() if line.startswith("> **")]
        for line in quotes:
            assert line.startswith(f"> {FICTIONAL_LABEL[lang]}"), f"{lesson.id}: unlabelled case {line[:60]}"


def test_fictional_cases_match_across_languages(courses: dict[str, Course]) -> None:
    for les_en, les_es in zip(lessons(courses["en"]), lessons(courses["es"]), strict=True):
        assert les_en.body.count(FICTIONAL_LABEL["en"]) == les_es.body.count(FICTIONAL_LABEL["es"]), les_en.id
    total = sum(lesson.body.count(FICTIONAL_LABEL["en"]) for lesson in lessons(courses["en"]))
    assert total >= 20


@pytest.mark.parametrize("lang", LANGUAGES)
def test_real_events_are_told_only_as_domain_md_tells_them(courses: dict[str, Course], lang: str) -> None:
    """The 1999 FARC case appears with the facts DOMAIN.md gives (Peruvian military, air-drop, 1999) and no others."""
    texts = [lesson_text(lesson) for lesson in lessons(courses[lang]) if "FARC" in lesson_text(lesson)]
    assert texts
    for text in texts:
        assert "1999" in text
        assert ("Peruvian military" in text) if lang == "en" else ("fuerzas armadas del Perú" in text)
        sentence = next(s for s in re.split(r"(?<=[.:])\s", text) if "FARC" in s)
        assert not re.search(r"\b\d{1,3}(?:[.,]\d{3})+\b", sentence), "no invented quantities for the FARC case"
