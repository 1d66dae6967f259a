"""Pure loader, validator, quiz drawer and grader for the ATT course content and simulation cases (no Django)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, TypeVar

CONTENT_DIR: Final[Path] = Path(__file__).resolve().parent / "content"
LANGUAGES: Final[tuple[str, ...]] = ("en", "es")

# Treaty article references: "2(1)", "2(1)(h)", "7(1)(b)(ii)", "11", or "preamble".
ARTICLE_REF_RE: Final = re.compile(
    r"^(?:preamble|(?:[1-9]|1\d|2[0-8])(?:\(\d{1,2}\))?(?:\([a-h]\))?(?:\((?:i|ii|iii|iv)\))?)$"
)
MODULE_ID_RE: Final = re.compile(r"^m\d{2}$")
LESSON_FILE_RE: Final = re.compile(r"^(\d{2})-[a-z0-9-]+\.md$")
SLUG_RE: Final = re.compile(r"^\d{2}-[a-z0-9-]+$")
COUNTRY_CODE_RE: Final = re.compile(r"^[A-Z]{2}$")
# UN Register categories I-VII (VII(b) MANPADS), category VIII SALW lines, Art. 3 ammunition, Art. 4 parts.
GOODS_CATEGORY_RE: Final = re.compile(r"^(?:I|II|III|IV|V|VI|VII|VII\(b\)|VIII-SA-[1-6]|VIII-LW-[1-7]|ART3|ART4)$")

# Criteria a decision may rely on, by treaty provision (see DOMAIN.md section 7).
CRITERIA: Final[Mapping[str, str]] = {
    "6.1": "Art. 6(1): UN Security Council Chapter VII measures, arms embargoes above all",
    "6.2": "Art. 6(2): other international obligations of the State",
    "6.3": "Art. 6(3): knowledge of genocide, crimes against humanity, grave breaches or other war crimes",
    "7.1.a": "Art. 7(1)(a): contribute to or undermine peace and security",
    "7.1.b.i": "Art. 7(1)(b)(i): serious violation of international humanitarian law",
    "7.1.b.ii": "Art. 7(1)(b)(ii): serious violation of international human rights law",
    "7.1.b.iii": "Art. 7(1)(b)(iii): offence under terrorism conventions or protocols",
    "7.1.b.iv": "Art. 7(1)(b)(iv): offence under transnational organised crime conventions or protocols",
    "7.4": "Art. 7(4): serious gender-based violence or violence against women and children",
    "11": "Art. 11: risk of diversion",
    "proportionality": "Quantity against stated need, technical and economic capacity, past imports",
}

Answer = str | bool | Mapping[str, str]
_E = TypeVar("_E", bound=StrEnum)


class ContentError(ValueError):
    """A content file is missing or malformed; the message starts with the file's path."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.detail = message
        super().__init__(f"{path}: {message}")


class QuestionType(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    MATCHING = "matching"


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True)
class MatchPair:
    """One left item and the right item that belongs to it; both sides are identified by the pair's id."""

    id: str
    left: str
    right: str


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt: str
    explanation: str
    articles: tuple[str, ...]
    options: tuple[Option, ...] = ()
    correct_option: str | None = None
    correct_bool: bool | None = None
    pairs: tuple[MatchPair, ...] = ()
    right_order: tuple[str, ...] = ()

    @property
    def correct_answer(self) -> Answer:
        if self.type is QuestionType.MULTIPLE_CHOICE:
            assert self.correct_option is not None
            return self.correct_option
        if self.type is QuestionType.TRUE_FALSE:
            assert self.correct_bool is not None
            return self.correct_bool
        return {pair.id: pair.id for pair in self.pairs}

    def right_options(self) -> tuple[Option, ...]:
        """The right-hand items of a matching question, in display order (shuffled by draw_attempt)."""
        by_id = {pair.id: pair.right for pair in self.pairs}
        order = self.right_order or tuple(by_id)
        return tuple(Option(id=pair_id, text=by_id[pair_id]) for pair_id in order)


@dataclass(frozen=True)
class Quiz:
    module_id: str
    questions: tuple[Question, ...]
    passing_score: float
    questions_per_attempt: int

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


@dataclass(frozen=True)
class Lesson:
    id: str
    module_id: str
    order: int
    slug: str
    title: str
    objectives: tuple[str, ...]
    key_points: tuple[str, ...]
    articles: tuple[str, ...]
    body: str
    path: Path


@dataclass(frozen=True)
class Module:
    id: str
    slug: str
    order: int
    title: str
    summary: str
    body: str
    lessons: tuple[Lesson, ...]
    quiz: Quiz
    path: Path

    @property
    def passing_score(self) -> float:
        return self.quiz.passing_score

    @property
    def questions_per_attempt(self) -> int:
        return self.quiz.questions_per_attempt


@dataclass(frozen=True)
class Course:
    lang: str
    modules: tuple[Module, ...]

    def module(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def lesson(self, lesson_id: str) -> Lesson:
        for module in self.modules:
            for lesson in module.lessons:
                if lesson.id == lesson_id:
                    return lesson
        raise KeyError(lesson_id)


@dataclass(frozen=True)
class ModuleSettings:
    id: str
    slug: str
    order: int
    passing_score: float
    questions_per_attempt: int


@dataclass(frozen=True)
class Feedback:
    question_id: str
    correct: bool
    score: float
    expected: Answer
    given: Answer | None
    explanation: str
    articles: tuple[str, ...]


# ---------------------------------------------------------------------------
# Small typed readers that name the file when a value is wrong.


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, "file not found") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentError(path, f"invalid JSON: {exc}") from None


def _obj(path: Path, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ContentError(path, f"{where}: expected an object")
    return value


def _str(path: Path, data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(path, f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _int(path: Path, data: Mapping[str, Any], key: str, where: str, *, minimum: int = 0) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ContentError(path, f"{where}: '{key}' must be an integer >= {minimum}")
    return value


def _str_list(path: Path, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ContentError(path, f"{where}: '{key}' must be a non-empty list")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise ContentError(path, f"{where}: every item of '{key}' must be a non-empty string")
    return tuple(item.strip() for item in value)


def _articles(path: Path, data: Mapping[str, Any], where: str) -> tuple[str, ...]:
    articles = _str_list(path, data, "articles", where)
    for ref in articles:
        if not ARTICLE_REF_RE.match(ref):
            raise ContentError(path, f"{where}: article reference {ref!r} is not like '7(1)(b)(ii)'")
    return articles


def _check_keys(path: Path, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ContentError(path, f"{where}: unknown keys {unknown}")


def parse_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """Split a Markdown file into its JSON front matter (between two '---' lines) and its body."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, "must start with a '---' line opening the JSON front matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError(path, "front matter is not closed by a '---' line") from None
    try:
        meta = json.loads("\n".join(lines[1:end]))
    except json.JSONDecodeError as exc:
        raise ContentError(path, f"front matter is not valid JSON: {exc}") from None
    body = "\n".join(lines[end + 1 :]).strip() + "\n"
    if not body.strip():
        raise ContentError(path, "the Markdown body is empty")
    return _obj(path, meta, "front matter"), body


# ---------------------------------------------------------------------------
# Course


def load_module_settings(root: Path = CONTENT_DIR) -> tuple[ModuleSettings, ...]:
    """Read the language-neutral modules.json: slug, order, passing score and attempt size per module."""
    path = root / "modules.json"
    data = _obj(path, _read_json(path), "top level")
    entries = data.get("modules")
    if not isinstance(entries, list) or not entries:
        raise ContentError(path, "'modules' must be a non-empty list")
    settings: list[ModuleSettings] = []
    for index, raw in enumerate(entries):
        where = f"modules[{index}]"
        entry = _obj(path, raw, where)
        _check_keys(path, entry, {"id", "slug", "order", "passing_score", "questions_per_attempt"}, where)
        module_id = _str(path, entry, "id", where)
        slug = _str(path, entry, "slug", where)
        if not MODULE_ID_RE.match(module_id):
            raise ContentError(path, f"{where}: id {module_id!r} is not like 'm01'")
        if not SLUG_RE.match(slug):
            raise ContentError(path, f"{where}: slug {slug!r} is not like '01-some-slug'")
        score = entry.get("passing_score")
        if not isinstance(score, int | float) or isinstance(score, bool) or not 0 < score <= 1:
            raise ContentError(path, f"{where}: 'passing_score' must be a number in (0, 1]")
        settings.append(
            ModuleSettings(
                id=module_id,
                slug=slug,
                order=_int(path, entry, "order", where, minimum=1),
                passing_score=float(score),
                questions_per_attempt=_int(path, entry, "questions_per_attempt", where, minimum=1),
            )
        )
    for attr in ("id", "slug", "order"):
        values = [getattr(item, attr) for item in settings]
        if len(values) != len(set(values)):
            raise ContentError(path, f"duplicate module {attr}")
    return tuple(sorted(settings, key=lambda item: item.order))


def _load_lesson(path: Path, module_id: str) -> Lesson:
    match = LESSON_FILE_RE.match(path.name)
    if not match:
        raise ContentError(path, "lesson file name must be like '01-lesson-slug.md'")
    meta, body = parse_front_matter(path, path.read_text(encoding="utf-8"))
    where = "front matter"
    _check_keys(path, meta, {"id", "title", "order", "objectives", "key_points", "articles"}, where)
    lesson_id = _str(path, meta, "id", where)
    order = _int(path, meta, "order", where, minimum=1)
    if order != int(match.group(1)):
        raise ContentError(path, f"order {order} does not match the file name")
    if lesson_id != f"{module_id}-l{order:02d}":
        raise ContentError(path, f"lesson id {lesson_id!r} should be '{module_id}-l{order:02d}'")
    return Lesson(
        id=lesson_id,
        module_id=module_id,
        order=order,
        slug=path.stem,
        title=_str(path, meta, "title", where),
        objectives=_str_list(path, meta, "objectives", where),
        key_points=_str_list(path, meta, "key_points", where),
        articles=_articles(path, meta, where),
        body=body,
        path=path,
    )


def _load_question(path: Path, raw: Any, index: int, module_id: str) -> Question:
    where = f"questions[{index}]"
    data = _obj(path, raw, where)
    _check_keys(path, data, {"id", "type", "prompt", "options", "correct", "pairs", "explanation", "articles"}, where)
    question_id = _str(path, data, "id", where)
    where = f"question {question_id}"
    if not question_id.startswith(f"{module_id}-q"):
        raise ContentError(path, f"{where}: id must start with '{module_id}-q'")
    qtype = _enum(path, QuestionType, data.get("type"), f"{where}.type")
    prompt = _str(path, data, "prompt", where)
    explanation = _str(path, data, "explanation", where)
    articles = _articles(path, data, where)
    correct = data.get("correct")
    if qtype is QuestionType.MULTIPLE_CHOICE:
        raw_options = data.get("options")
        if not isinstance(raw_options, list) or not 3 <= len(raw_options) <= 5:
            raise ContentError(path, f"{where}: a multiple-choice question needs 3 to 5 options")
        options = []
        for opt_index, raw_option in enumerate(raw_options):
            opt = _obj(path, raw_option, f"{where} option {opt_index}")
            _check_keys(path, opt, {"id", "text"}, f"{where} option {opt_index}")
            options.append(Option(id=_str(path, opt, "id", where), text=_str(path, opt, "text", where)))
        ids = [opt.id for opt in options]
        if len(ids) != len(set(ids)):
            raise ContentError(path, f"{where}: duplicate option ids")
        if correct not in ids:
            raise ContentError(path, f"{where}: 'correct' must be exactly one of the option ids {ids}")
        if "pairs" in data:
            raise ContentError(path, f"{where}: a multiple-choice question has no 'pairs'")
        return Question(
            question_id, qtype, prompt, explanation, articles, options=tuple(options), correct_option=correct
        )
    if qtype is QuestionType.TRUE_FALSE:
        if not isinstance(correct, bool):
            raise ContentError(path, f"{where}: 'correct' of a true/false question must be true or false")
        if "options" in data or "pairs" in data:
            raise ContentError(path, f"{where}: a true/false question has no 'options' or 'pairs'")
        return Question(question_id, qtype, prompt, explanation, articles, correct_bool=correct)
    raw_pairs = data.get("pairs")
    if not isinstance(raw_pairs, list) or not 3 <= len(raw_pairs) <= 6:
        raise ContentError(path, f"{where}: a matching question needs 3 to 6 pairs")
    if "options" in data or "correct" in data:
        raise ContentError(path, f"{where}: a matching question has 'pairs' only (each pair is its own answer)")
    pairs = []
    for pair_index, raw_pair in enumerate(raw_pairs):
        pair = _obj(path, raw_pair, f"{where} pair {pair_index}")
        _check_keys(path, pair, {"id", "left", "right"}, f"{where} pair {pair_index}")
        pairs.append(
            MatchPair(
                id=_str(path, pair, "id", where),
                left=_str(path, pair, "left", where),
                right=_str(path, pair, "right", where),
            )
        )
    if len({p.id for p in pairs}) != len(pairs):
        raise ContentError(path, f"{where}: duplicate pair ids")
    if len({p.left for p in pairs}) != len(pairs) or len({p.right for p in pairs}) != len(pairs):
        raise ContentError(path, f"{where}: left and right items must be distinct")
    return Question(
        question_id, qtype, prompt, explanation, articles, pairs=tuple(pairs), right_order=tuple(p.id for p in pairs)
    )


def _load_quiz(path: Path, settings: ModuleSettings) -> Quiz:
    data = _obj(path, _read_json(path), "top level")
    _check_keys(path, data, {"module", "questions"}, "top level")
    if data.get("module") != settings.id:
        raise ContentError(path, f"'module' must be {settings.id!r}")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list):
        raise ContentError(path, "'questions' must be a list")
    questions = tuple(_load_question(path, raw, index, settings.id) for index, raw in enumerate(raw_questions))
    ids = [q.id for q in questions]
    if len(ids) != len(set(ids)):
        raise ContentError(path, "duplicate question ids")
    if len(questions) < 8:
        raise ContentError(path, f"at least 8 questions are required, found {len(questions)}")
    if settings.questions_per_attempt > len(questions):
        raise ContentError(path, "questions_per_attempt in modules.json exceeds the number of questions")
    return Quiz(
        module_id=settings.id,
        questions=questions,
        passing_score=settings.passing_score,
        questions_per_attempt=settings.questions_per_attempt,
    )


def _load_module(root: Path, lang: str, settings: ModuleSettings) -> Module:
    folder = root / lang / settings.slug
    path = folder / "module.md"
    if not path.is_file():
        raise ContentError(path, "file not found")
    meta, body = parse_front_matter(path, path.read_text(encoding="utf-8"))
    _check_keys(path, meta, {"id", "title", "summary", "order"}, "front matter")
    if meta.get("id") != settings.id or meta.get("order") != settings.order:
        raise ContentError(path, f"id and order must be {settings.id!r} and {settings.order} as in modules.json")
    lesson_paths = sorted(p for p in folder.glob("*.md") if p.name != "module.md")
    lessons = tuple(_load_lesson(p, settings.id) for p in lesson_paths)
    if not 2 <= len(lessons) <= 4:
        raise ContentError(folder, f"a module needs 2 to 4 lessons, found {len(lessons)}")
    if [lesson.order for lesson in lessons] != list(range(1, len(lessons) + 1)):
        raise ContentError(folder, "lessons must be numbered 01, 02, ... without gaps")
    return Module(
        id=settings.id,
        slug=settings.slug,
        order=settings.order,
        title=_str(path, meta, "title", "front matter"),
        summary=_str(path, meta, "summary", "front matter"),
        body=body,
        lessons=lessons,
        quiz=_load_quiz(folder / "quiz.json", settings),
        path=path,
    )


def load_course(lang: str, root: Path = CONTENT_DIR) -> Course:
    """Load and validate the course in one language; raise ContentError naming the faulty file."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")
    settings = load_module_settings(root)
    return Course(lang=lang, modules=tuple(_load_module(root, lang, item) for item in settings))


def compare_courses(first: Course, second: Course) -> list[str]:
    """List the structural differences between two language versions (ids, answers, articles); empty if none."""
    problems: list[str] = []

    def ids(items: Sequence[Any]) -> list[str]:
        return [item.id for item in items]

    if ids(first.modules) != ids(second.modules):
        return [f"module ids differ: {ids(first.modules)} vs {ids(second.modules)}"]
    for mod_a, mod_b in zip(first.modules, second.modules, strict=True):
        if ids(mod_a.lessons) != ids(mod_b.lessons):
            problems.append(f"{mod_a.id}: lesson ids differ")
        for les_a, les_b in zip(mod_a.lessons, mod_b.lessons, strict=False):
            if les_a.articles != les_b.articles:
                problems.append(f"{les_a.id}: article references differ")
            if les_a.path.name != les_b.path.name:
                problems.append(f"{les_a.id}: file names differ ({les_a.path.name} vs {les_b.path.name})")
        if ids(mod_a.quiz.questions) != ids(mod_b.quiz.questions):
            problems.append(f"{mod_a.id}: question ids differ")
            continue
        for q_a, q_b in zip(mod_a.quiz.questions, mod_b.quiz.questions, strict=True):
            if q_a.type != q_b.type:
                problems.append(f"{q_a.id}: types differ")
            if ids(q_a.options) != ids(q_b.options) or ids(q_a.pairs) != ids(q_b.pairs):
                problems.append(f"{q_a.id}: option or pair ids differ")
            if q_a.correct_answer != q_b.correct_answer:
                problems.append(f"{q_a.id}: correct answers differ")
            if q_a.articles != q_b.articles:
                problems.append(f"{q_a.id}: article references differ")
    return problems


# ---------------------------------------------------------------------------
# Quiz attempts and grading


def draw_attempt(quiz: Quiz, rng: random.Random, count: int | None = None) -> tuple[Question, ...]:
    """Draw `count` questions (default: the module's questions_per_attempt) in random order, options shuffled.

    Pass a seeded random.Random (for example seeded with the attempt's id) to make an attempt reproducible.
    """
    size = quiz.questions_per_attempt if count is None else count
    if not 1 <= size <= len(quiz.questions):
        raise ValueError(f"cannot draw {size} questions from a bank of {len(quiz.questions)}")
    drawn: list[Question] = []
    for question in rng.sample(list(quiz.questions), size):
        if question.type is QuestionType.MULTIPLE_CHOICE:
            options = list(question.options)
            rng.shuffle(options)
            drawn.append(replace(question, options=tuple(options)))
        elif question.type is QuestionType.MATCHING:
            pairs = list(question.pairs)
            rng.shuffle(pairs)
            right_order = [pair.id for pair in question.pairs]
            rng.shuffle(right_order)
            drawn.append(replace(question, pairs=tuple(pairs), right_order=tuple(right_order)))
        else:
            drawn.append(question)
    return tuple(drawn)


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def _question_score(question: Question, given: Any) -> float:
    if given is None:
        return 0.0
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return 1.0 if given == question.correct_option else 0.0
    if question.type is QuestionType.TRUE_FALSE:
        return 1.0 if _as_bool(given) is question.correct_bool else 0.0
    if not isinstance(given, Mapping):
        return 0.0
    right = sum(1 for pair in question.pairs if given.get(pair.id) == pair.id)
    return right / len(question.pairs)


def grade(questions: Sequence[Question], answers: Mapping[str, Answer]) -> tuple[float, tuple[Feedback, ...]]:
    """Score an attempt from 0 to 1 (matching questions earn partial credit) with feedback per question.

    Answers map a question id to an option id (multiple choice), a bool or "true"/"false" (true/false),
    or a mapping of pair id to chosen right-hand pair id (matching). Missing answers score zero.
    """
    if not questions:
        raise ValueError("an attempt needs at least one question")
    feedback = []
    for question in questions:
        given = answers.get(question.id)
        score = _question_score(question, given)
        feedback.append(
            Feedback(
                question_id=question.id,
                correct=score == 1.0,
                score=score,
                expected=question.correct_answer,
                given=given,
                explanation=question.explanation,
                articles=question.articles,
            )
        )
    total = sum(item.score for item in feedback) / len(feedback)
    return total, tuple(feedback)


def has_passed(quiz: Quiz, score: float) -> bool:
    return score >= quiz.passing_score


# ---------------------------------------------------------------------------
# Simulation cases


class TransferKind(StrEnum):
    EXPORT = "export"
    IMPORT = "import"
    TRANSIT = "transit"
    TRANS_SHIPMENT = "trans_shipment"
    BROKERING = "brokering"


class TraineeRole(StrEnum):
    LICENSING_OFFICER = "licensing_officer"
    ASSESSOR = "assessor"
    EUC_VERIFIER = "euc_verifier"


class EucStatus(StrEnum):
    VALID = "valid"
    FORGED_SEAL = "forged_seal"
    ALREADY_USED = "already_used"
    DIFFERENT_END_USER = "different_end_user"


class ScreeningResult(StrEnum):
    NO_HIT = "no_hit"
    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"


class Decision(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"


@dataclass(frozen=True)
class LocalizedText:
    en: str
    es: str

    def get(self, lang: str) -> str:
        if lang == "es":
            return self.es
        return self.en


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    country: str
    address: str
    state_body: bool = False  # a government, its armed forces or its police (what UN embargo exemptions turn on)


@dataclass(frozen=True)
class GoodsLine:
    description: LocalizedText
    category: str
    quantity: int
    hs_code: str


@dataclass(frozen=True)
class EucSituation:
    status: EucStatus
    serial: str
    issuer: LocalizedText
    details: LocalizedText


@dataclass(frozen=True)
class ListedEntry:
    list_name: str
    reference: str
    name: str


@dataclass(frozen=True)
class ScreeningCheck:
    party_name: str
    result: ScreeningResult
    listed_entry: ListedEntry | None
    notes: LocalizedText


@dataclass(frozen=True)
class EmbargoFact:
    target: str
    target_iso2: str
    resolutions: str
    source: str


@dataclass(frozen=True)
class ModelAnswer:
    """The expected decision. For a refusal, criteria are the grounds relied on; for an approval, the criteria
    assessed and found acceptable that the decision must state."""

    decision: Decision
    criteria: tuple[str, ...]
    conditions: tuple[LocalizedText, ...]
    rationale: LocalizedText


@dataclass(frozen=True)
class Rubric:
    decision_points: int
    criteria_points: Mapping[str, int]
    penalty_per_unsupported_criterion: int

    @property
    def max_points(self) -> int:
        return self.decision_points + sum(self.criteria_points.values())


@dataclass(frozen=True)
class Case:
    id: str
    title: LocalizedText
    summary: LocalizedText
    kind: TransferKind
    role: TraineeRole
    parties: tuple[Party, ...]
    destination: str
    goods: tuple[GoodsLine, ...]
    stated_end_use: LocalizedText
    euc: EucSituation
    screening: tuple[ScreeningCheck, ...]
    diversion_indicators: tuple[LocalizedText, ...]
    embargo: EmbargoFact | None
    model_answer: ModelAnswer
    rubric: Rubric

    def party(self, role: str) -> Party:
        for party in self.parties:
            if party.role == role:
                return party
        raise KeyError(role)


@dataclass(frozen=True)
class CaseScore:
    points: int
    max_points: int
    decision_correct: bool
    criteria_credited: tuple[str, ...]
    criteria_missed: tuple[str, ...]
    criteria_unsupported: tuple[str, ...]

    @property
    def score(self) -> float:
        return self.points / self.max_points


PARTY_ROLES: Final = frozenset({"exporter", "importer", "end_user", "consignee", "broker", "freight_forwarder"})
# ISO 3166 user-assigned code standing for the trainee's own state (the sandbox authority's country).
OWN_STATE: Final = "XX"


def _text(path: Path, data: Mapping[str, Any], key: str, where: str) -> LocalizedText:
    raw = _obj(path, data.get(key), f"{where}.{key}")
    _check_keys(path, raw, set(LANGUAGES), f"{where}.{key}")
    return LocalizedText(en=_str(path, raw, "en", f"{where}.{key}"), es=_str(path, raw, "es", f"{where}.{key}"))


def _texts(
    path: Path, data: Mapping[str, Any], key: str, where: str, *, allow_empty: bool
) -> tuple[LocalizedText, ...]:
    raw = data.get(key)
    if not isinstance(raw, list) or (not raw and not allow_empty):
        raise ContentError(path, f"{where}: '{key}' must be a {'' if allow_empty else 'non-empty '}list")
    return tuple(_text(path, {"t": item}, "t", f"{where}.{key}[{i}]") for i, item in enumerate(raw))


def _enum(path: Path, enum: type[_E], value: Any, where: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        allowed = [member.value for member in enum]
        raise ContentError(path, f"{where}: {value!r} is not one of {allowed}") from None


def _load_case(path: Path, raw: Any, index: int) -> Case:
    where = f"cases[{index}]"
    data = _obj(path, raw, where)
    allowed = {
        "id", "fictional", "title", "summary", "kind", "role", "parties", "destination", "goods",
        "stated_end_use", "euc", "screening", "diversion_indicators", "embargo", "model_answer", "rubric",
    }  # fmt: skip
    _check_keys(path, data, allowed, where)
    case_id = _str(path, data, "id", where)
    where = f"case {case_id}"
    if data.get("fictional") is not True:
        raise ContentError(path, f'{where}: every case must be marked "fictional": true')

    parties = []
    for i, raw_party in enumerate(data.get("parties") or []):
        p = _obj(path, raw_party, f"{where}.parties[{i}]")
        _check_keys(path, p, {"role", "name", "country", "address", "state_body"}, f"{where}.parties[{i}]")
        role = _str(path, p, "role", where)
        country = _str(path, p, "country", where)
        if role not in PARTY_ROLES or not COUNTRY_CODE_RE.match(country):
            raise ContentError(path, f"{where}.parties[{i}]: bad role {role!r} or country code {country!r}")
        state_body = p.get("state_body", False)
        if not isinstance(state_body, bool):
            raise ContentError(path, f"{where}.parties[{i}].state_body: must be true or false")
        parties.append(Party(role, _str(path, p, "name", where), country, _str(path, p, "address", where), state_body))
    roles = [p.role for p in parties]
    for required in ("exporter", "end_user"):
        if required not in roles:
            raise ContentError(path, f"{where}: a case needs a party with role {required!r}")

    destination = _str(path, data, "destination", where)
    if not COUNTRY_CODE_RE.match(destination) or destination == OWN_STATE:
        raise ContentError(path, f"{where}: destination must be a real ISO 3166 alpha-2 code, not {OWN_STATE}")

    goods = []
    for i, raw_line in enumerate(data.get("goods") or []):
        g = _obj(path, raw_line, f"{where}.goods[{i}]")
        _check_keys(path, g, {"description", "category", "quantity", "hs_code"}, f"{where}.goods[{i}]")
        category = _str(path, g, "category", where)
        if not GOODS_CATEGORY_RE.match(category):
            raise ContentError(path, f"{where}.goods[{i}]: category {category!r} is not a Register/SALW line code")
        hs_code = _str(path, g, "hs_code", where)
        if not re.fullmatch(r"\d{4}(?:\.\d{2})?", hs_code):
            raise ContentError(path, f"{where}.goods[{i}]: hs_code {hs_code!r} is not like '9301.90'")
        goods.append(
            GoodsLine(
                _text(path, g, "description", f"{where}.goods[{i}]"),
                category,
                _int(path, g, "quantity", where, minimum=1),
                hs_code,
            )
        )
    if not goods:
        raise ContentError(path, f"{where}: 'goods' must list at least one line")

    e = _obj(path, data.get("euc"), f"{where}.euc")
    _check_keys(path, e, {"status", "serial", "issuer", "details"}, f"{where}.euc")
    euc = EucSituation(
        status=_enum(path, EucStatus, e.get("status"), f"{where}.euc.status"),
        serial=_str(path, e, "serial", f"{where}.euc"),
        issuer=_text(path, e, "issuer", f"{where}.euc"),
        details=_text(path, e, "details", f"{where}.euc"),
    )

    screening = []
    raw_screening = data.get("screening")
    if not isinstance(raw_screening, list) or not raw_screening:
        raise ContentError(path, f"{where}: 'screening' must be a non-empty list")
    for i, raw_check in enumerate(raw_screening):
        s = _obj(path, raw_check, f"{where}.screening[{i}]")
        _check_keys(path, s, {"party_name", "result", "listed_entry", "notes"}, f"{where}.screening[{i}]")
        result = _enum(path, ScreeningResult, s.get("result"), f"{where}.screening[{i}].result")
        entry = None
        if s.get("listed_entry") is not None:
            le = _obj(path, s["listed_entry"], f"{where}.screening[{i}].listed_entry")
            _check_keys(path, le, {"list_name", "reference", "name"}, f"{where}.screening[{i}].listed_entry")
            entry = ListedEntry(
                _str(path, le, "list_name", where), _str(path, le, "reference", where), _str(path, le, "name", where)
            )
        if (result is ScreeningResult.NO_HIT) != (entry is None):
            raise ContentError(path, f"{where}.screening[{i}]: a hit needs a listed_entry and no_hit must have none")
        party_name = _str(path, s, "party_name", where)
        if party_name not in {p.name for p in parties}:
            raise ContentError(path, f"{where}.screening[{i}]: {party_name!r} is not one of the case's parties")
        screening.append(ScreeningCheck(party_name, result, entry, _text(path, s, "notes", f"{where}.screening[{i}]")))

    embargo = None
    if data.get("embargo") is not None:
        em = _obj(path, data["embargo"], f"{where}.embargo")
        _check_keys(path, em, {"target", "target_iso2", "resolutions", "source"}, f"{where}.embargo")
        embargo = EmbargoFact(
            _str(path, em, "target", where),
            _str(path, em, "target_iso2", where),
            _str(path, em, "resolutions", where),
            _str(path, em, "source", where),
        )
        if embargo.target_iso2 != destination:
            raise ContentError(path, f"{where}: the embargo target must be the destination")

    m = _obj(path, data.get("model_answer"), f"{where}.model_answer")
    _check_keys(path, m, {"decision", "criteria", "conditions", "rationale"}, f"{where}.model_answer")
    criteria = _str_list(path, m, "criteria", f"{where}.model_answer")
    unknown = [c for c in criteria if c not in CRITERIA]
    if unknown:
        raise ContentError(path, f"{where}.model_answer: unknown criteria {unknown}; allowed {sorted(CRITERIA)}")
    decision = _enum(path, Decision, m.get("decision"), f"{where}.model_answer.decision")
    conditions = _texts(path, m, "conditions", f"{where}.model_answer", allow_empty=True)
    if decision is Decision.REFUSE and conditions:
        raise ContentError(path, f"{where}.model_answer: a refusal carries no licence conditions")
    model = ModelAnswer(decision, criteria, conditions, _text(path, m, "rationale", f"{where}.model_answer"))

    r = _obj(path, data.get("rubric"), f"{where}.rubric")
    _check_keys(path, r, {"decision", "criteria", "penalty_per_unsupported_criterion"}, f"{where}.rubric")
    raw_points = _obj(path, r.get("criteria"), f"{where}.rubric.criteria")
    points: dict[str, int] = {}
    for code in raw_points:
        points[code] = _int(path, raw_points, code, f"{where}.rubric.criteria", minimum=1)
    if set(points) != set(criteria):
        raise ContentError(path, f"{where}.rubric: criteria points must cover exactly the model answer's criteria")
    rubric = Rubric(
        decision_points=_int(path, r, "decision", f"{where}.rubric", minimum=1),
        criteria_points=points,
        penalty_per_unsupported_criterion=_int(path, r, "penalty_per_unsupported_criterion", f"{where}.rubric"),
    )
    return Case(
        id=case_id,
        title=_text(path, data, "title", where),
        summary=_text(path, data, "summary", where),
        kind=_enum(path, TransferKind, data.get("kind"), f"{where}.kind"),
        role=_enum(path, TraineeRole, data.get("role"), f"{where}.role"),
        parties=tuple(parties),
        destination=destination,
        goods=tuple(goods),
        stated_end_use=_text(path, data, "stated_end_use", where),
        euc=euc,
        screening=tuple(screening),
        diversion_indicators=_texts(path, data, "diversion_indicators", where, allow_empty=True),
        embargo=embargo,
        model_answer=model,
        rubric=rubric,
    )


def load_cases(path: Path = CONTENT_DIR / "cases.json") -> tuple[Case, ...]:
    """Load and validate the role-play simulation cases; raise ContentError naming the file."""
    data = _obj(path, _read_json(path), "top level")
    _check_keys(path, data, {"cases"}, "top level")
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise ContentError(path, "'cases' must be a non-empty list")
    cases = tuple(_load_case(path, raw, index) for index, raw in enumerate(raw_cases))
    ids = [case.id for case in cases]
    if len(ids) != len(set(ids)):
        raise ContentError(path, "duplicate case ids")
    return cases


def score_case(case: Case, decision: Decision | str, criteria: Sequence[str]) -> CaseScore:
    """Score a trainee's decision on a case against its model answer and rubric (never below zero)."""
    chosen = Decision(decision)
    cited = list(dict.fromkeys(criteria))
    decision_correct = chosen is case.model_answer.decision
    credited = tuple(code for code in cited if code in case.rubric.criteria_points)
    unsupported = tuple(code for code in cited if code not in case.rubric.criteria_points)
    missed = tuple(code for code in case.model_answer.criteria if code not in cited)
    points = (case.rubric.decision_points if decision_correct else 0) + sum(
        case.rubric.criteria_points[code] for code in credited
    )
    points -= case.rubric.penalty_per_unsupported_criterion * len(unsupported)
    return CaseScore(
        points=max(points, 0),
        max_points=case.rubric.max_points,
        decision_correct=decision_correct,
        criteria_credited=credited,
        criteria_missed=missed,
        criteria_unsupported=unsupported,
    )
