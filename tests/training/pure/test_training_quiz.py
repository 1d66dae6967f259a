"""Quiz attempts are drawn reproducibly at random and graded with partial credit; bad content files are named."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from attkit.training.content_loader import (
    CONTENT_DIR,
    Answer,
    ContentError,
    Question,
    QuestionType,
    Quiz,
    draw_attempt,
    grade,
    has_passed,
    load_course,
)


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    return load_course("en").module("m06").quiz


def right_answers(questions: tuple[Question, ...] | list[Question]) -> dict[str, Answer]:
    return {q.id: q.correct_answer for q in questions}


def first(quiz: Quiz, qtype: QuestionType) -> Question:
    return next(q for q in quiz.questions if q.type is qtype)


def test_all_correct_answers_score_one(quiz: Quiz) -> None:
    score, feedback = grade(quiz.questions, right_answers(quiz.questions))
    assert score == 1.0
    assert all(item.correct for item in feedback)
    assert has_passed(quiz, score)


def test_a_wrong_answer_lowers_the_score_and_explains_the_right_one(quiz: Quiz) -> None:
    answers = right_answers(quiz.questions)
    mc = first(quiz, QuestionType.MULTIPLE_CHOICE)
    answers[mc.id] = next(o.id for o in mc.options if o.id != mc.correct_option)
    score, feedback = grade(quiz.questions, answers)
    assert score == pytest.approx(1 - 1 / len(quiz.questions))
    item = next(f for f in feedback if f.question_id == mc.id)
    assert not item.correct
    assert item.score == 0.0
    assert item.expected == mc.correct_option
    assert item.explanation == mc.explanation
    assert item.articles == mc.articles


def test_true_false_accepts_form_strings_and_rejects_the_wrong_value(quiz: Quiz) -> None:
    tf = first(quiz, QuestionType.TRUE_FALSE)
    assert grade([tf], {tf.id: str(tf.correct_bool).lower()})[0] == 1.0
    assert grade([tf], {tf.id: not tf.correct_bool})[0] == 0.0
    assert grade([tf], {tf.id: "maybe"})[0] == 0.0


def test_matching_earns_partial_credit(quiz: Quiz) -> None:
    match = first(quiz, QuestionType.MATCHING)
    ids = [p.id for p in match.pairs]
    swapped = {pid: pid for pid in ids}
    swapped[ids[0]], swapped[ids[1]] = ids[1], ids[0]
    score, feedback = grade([match], {match.id: swapped})
    assert score == pytest.approx((len(ids) - 2) / len(ids))
    assert not feedback[0].correct
    assert grade([match], {match.id: "not a mapping"})[0] == 0.0


def test_missing_answers_score_zero(quiz: Quiz) -> None:
    score, feedback = grade(quiz.questions, {})
    assert score == 0.0
    assert all(item.given is None for item in feedback)


def test_an_empty_attempt_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one question"):
        grade([], {})


def test_passing_score_is_the_threshold(quiz: Quiz) -> None:
    assert has_passed(quiz, quiz.passing_score)
    assert not has_passed(quiz, quiz.passing_score - 0.01)


def test_an_attempt_has_the_modules_size_and_no_duplicates(quiz: Quiz) -> None:
    attempt = draw_attempt(quiz, random.Random(7))
    assert len(attempt) == quiz.questions_per_attempt
    assert len({q.id for q in attempt}) == len(attempt)
    assert {q.id for q in attempt} <= {q.id for q in quiz.questions}


def test_the_same_seed_draws_the_same_attempt(quiz: Quiz) -> None:
    assert draw_attempt(quiz, random.Random(42)) == draw_attempt(quiz, random.Random(42))


def test_different_seeds_shuffle_questions_and_options_but_keep_the_same_set(quiz: Quiz) -> None:
    size = len(quiz.questions)
    one = draw_attempt(quiz, random.Random(1), size)
    two = draw_attempt(quiz, random.Random(2), size)
    assert [q.id for q in one] != [q.id for q in two]
    assert sorted(q.id for q in one) == sorted(q.id for q in two) == sorted(q.id for q in quiz.questions)
    by_id = {q.id: q for q in quiz.questions}
    option_orders_differ = False
    for drawn in one:
        original = by_id[drawn.id]
        assert {o.id for o in drawn.options} == {o.id for o in original.options}
        assert {p.id for p in drawn.pairs} == {p.id for p in original.pairs}
        assert sorted(drawn.right_order) == sorted(p.id for p in original.pairs)
        assert drawn.correct_answer == original.correct_answer
        other = next(q for q in two if q.id == drawn.id)
        option_orders_differ |= drawn.options != other.options or drawn.right_order != other.right_order
    assert option_orders_differ


def test_a_shuffled_attempt_still_grades_right_answers_as_correct(quiz: Quiz) -> None:
    attempt = draw_attempt(quiz, random.Random(3), len(quiz.questions))
    assert grade(attempt, right_answers(attempt))[0] == 1.0


def test_matching_right_options_follow_the_shuffled_order(quiz: Quiz) -> None:
    match = first(quiz, QuestionType.MATCHING)
    drawn = draw_attempt(Quiz(quiz.module_id, (match,), 0.7, 1), random.Random(5))[0]
    assert [o.id for o in drawn.right_options()] == list(drawn.right_order)
    assert {o.text for o in drawn.right_options()} == {p.right for p in match.pairs}


def test_an_impossible_attempt_size_is_refused(quiz: Quiz) -> None:
    with pytest.raises(ValueError, match="cannot draw"):
        draw_attempt(quiz, random.Random(1), len(quiz.questions) + 1)


# --- validation errors name the file -------------------------------------------------------------


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def edit_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_the_copy_of_the_content_loads(content: Path) -> None:
    assert load_course("es", content).module("m01").lessons


def test_a_lesson_without_objectives_is_named(content: Path) -> None:
    path = content / "es" / "03-legal-requirements" / "02-implementation-and-prohibitions.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"objectives"', '"goals"', 1), encoding="utf-8")
    with pytest.raises(ContentError, match=r"02-implementation-and-prohibitions\.md") as info:
        load_course("es", content)
    assert info.value.path == path
    assert "goals" in str(info.value)


def test_a_lesson_without_front_matter_is_named(content: Path) -> None:
    path = content / "en" / "01-conventional-arms" / "01-treaty-categories.md"
    path.write_text("# No front matter\n\nBody.\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"01-treaty-categories\.md: must start with"):
        load_course("en", content)


def test_a_bad_article_reference_is_named(content: Path) -> None:
    path = content / "en" / "06-risk-assessment" / "01-gates-article-6.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"6(1)", "6(2)"', '"Art. 6", "6(2)"', 1), encoding="utf-8")
    with pytest.raises(ContentError, match=r"01-gates-article-6\.md.*'Art\. 6'"):
        load_course("en", content)


def test_invalid_quiz_json_is_named(content: Path) -> None:
    path = content / "es" / "05-end-use-documentation" / "quiz.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(ContentError, match=r"05-end-use-documentation/quiz\.json: invalid JSON"):
        load_course("es", content)


def test_a_correct_answer_that_is_not_an_option_is_named(content: Path) -> None:
    path = content / "en" / "02-trade-and-diversion" / "quiz.json"
    edit_json(path, lambda d: d["questions"][0].update(correct="z"))
    with pytest.raises(ContentError, match=r"quiz\.json: question m02-q01: 'correct' must be exactly one"):
        load_course("en", content)


def test_a_true_false_question_needs_a_boolean(content: Path) -> None:
    path = content / "en" / "02-trade-and-diversion" / "quiz.json"
    edit_json(path, lambda d: d["questions"][2].update(correct="true"))
    with pytest.raises(ContentError, match="m02-q03: 'correct' of a true/false question"):
        load_course("en", content)


def test_a_matching_question_with_duplicate_sides_is_named(content: Path) -> None:
    path = content / "en" / "02-trade-and-diversion" / "quiz.json"
    edit_json(path, lambda d: d["questions"][4]["pairs"][1].update(right=d["questions"][4]["pairs"][0]["right"]))
    with pytest.raises(ContentError, match="m02-q05: left and right items must be distinct"):
        load_course("en", content)


def test_a_question_without_explanation_is_named(content: Path) -> None:
    path = content / "es" / "08-records-reports" / "quiz.json"
    edit_json(path, lambda d: d["questions"][1].update(explanation=" "))
    with pytest.raises(ContentError, match="m08-q02: 'explanation' must be a non-empty string"):
        load_course("es", content)


def test_too_few_questions_are_refused(content: Path) -> None:
    path = content / "en" / "07-transit-brokering" / "quiz.json"
    edit_json(path, lambda d: d.update(questions=d["questions"][:5]))
    with pytest.raises(ContentError, match="at least 8 questions"):
        load_course("en", content)


def test_a_bad_passing_score_in_modules_json_is_named(content: Path) -> None:
    edit_json(content / "modules.json", lambda d: d["modules"][0].update(passing_score=70))
    with pytest.raises(ContentError, match=r"modules\.json: modules\[0\]: 'passing_score'"):
        load_course("en", content)


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        load_course("pt")
