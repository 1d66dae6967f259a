"""Load and validate the versioned, bilingual risk-assessment question bank (assessment/data/question_bank_vN.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from attkit.assessment.rules import MAX_MITIGATION_STEPS, Criterion, Rating

SCHEMA = "attkit.question_bank"
MAX_BYTES = 2_000_000  # an edited bank is input from outside: never parse an unbounded file
_FILE_NAME = re.compile(r"^question_bank_v(\d+)\.json$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
# An article reference such as 6(1), 7(1)(a), 7(1)(b)(iv) or plain 11.
_ARTICLE = re.compile(r"^\d{1,2}(\(\d{1,2}\))?(\([a-z]\))?(\([ivx]+\))?$")
_GATE_ANSWERS = ("no", "yes")


class QuestionBankError(ValueError):
    """The bank is malformed; the message names the file and the item."""


class QuestionKind(StrEnum):
    """A gate is answered yes or no (Art. 6); a rating question is rated none to very high."""

    GATE = "gate"
    RATING = "rating"


class SourceKind(StrEnum):
    """Where evidence comes from: a public source with an address, or the authority's own records."""

    EXTERNAL = "external"
    INTERNAL = "internal"


@dataclass(frozen=True)
class Text:
    """One text in every language of the bank."""

    translations: Mapping[str, str]

    def get(self, language: str) -> str:
        """The text in `language` (e.g. "es" or "es-MX"), falling back to English."""
        base = language.split("-", maxsplit=1)[0].lower()
        return self.translations.get(base) or self.translations["en"]

    @property
    def en(self) -> str:
        """The English text."""
        return self.translations["en"]

    @property
    def es(self) -> str:
        """The Spanish text."""
        return self.translations["es"]


@dataclass(frozen=True)
class Label:
    """A code with a bilingual label (ratings, gate answers)."""

    code: str
    label: Text


@dataclass(frozen=True)
class Source:
    """A suggested source of evidence."""

    code: str
    kind: SourceKind
    url: str | None
    name: Text


@dataclass(frozen=True)
class Question:
    """One question of the bank."""

    code: str
    section: str
    kind: QuestionKind
    article: str
    criterion: Criterion
    text: Text
    guidance: Text
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """A section of the bank, with its questions in order."""

    code: str
    title: Text
    intro: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class MitigationType:
    """An Art. 7(2) / Art. 11(2) mitigation measure the assessor may apply, and its default effect in steps."""

    code: str
    article: str
    criteria: frozenset[Criterion]
    default_effect: int
    name: Text
    description: Text


@dataclass(frozen=True)
class QuestionBank:
    """A whole version of the bank."""

    version: int
    published: str
    languages: tuple[str, ...]
    title: Text
    notes: str
    ratings: tuple[Label, ...]
    gate_answers: tuple[Label, ...]
    sources: tuple[Source, ...]
    sections: tuple[Section, ...]
    mitigations: tuple[MitigationType, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in section order."""
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def gates(self) -> tuple[Question, ...]:
        """The Art. 6 gate questions."""
        return tuple(q for q in self.questions if q.kind is QuestionKind.GATE)

    def question(self, code: str) -> Question:
        """The question with `code`; KeyError naming it otherwise."""
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(f"question bank v{self.version} has no question {code!r}")

    def source(self, code: str) -> Source:
        """The source with `code`; KeyError naming it otherwise."""
        for s in self.sources:
            if s.code == code:
                return s
        raise KeyError(f"question bank v{self.version} has no source {code!r}")

    def mitigation(self, code: str) -> MitigationType:
        """The mitigation measure type with `code`; KeyError naming it otherwise."""
        for m in self.mitigations:
            if m.code == code:
                return m
        raise KeyError(f"question bank v{self.version} has no mitigation measure {code!r}")

    def questions_for(self, criterion: Criterion) -> tuple[Question, ...]:
        """The questions that feed `criterion`."""
        return tuple(q for q in self.questions if q.criterion is criterion)


# Loading ----------------------------------------------------------------------------------------


def _data_dir() -> Any:
    return resources.files("attkit.assessment") / "data"


def available_versions() -> tuple[int, ...]:
    """The versions shipped in assessment/data, oldest first."""
    versions = []
    for entry in _data_dir().iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            versions.append(int(match.group(1)))
    return tuple(sorted(versions))


def latest_version() -> int:
    """The newest shipped version."""
    versions = available_versions()
    if not versions:
        raise QuestionBankError("assessment/data holds no question_bank_vN.json")
    return versions[-1]


def load(version: int | None = None) -> QuestionBank:
    """Load a shipped version (the latest by default); versions coexist so old assessments keep their questions."""
    wanted = latest_version() if version is None else version
    name = f"question_bank_v{wanted}.json"
    entry = _data_dir() / name
    if not entry.is_file():
        raise QuestionBankError(f"{name}: no such version of the question bank (have {available_versions()})")
    bank = loads(entry.read_bytes(), origin=name)
    if bank.version != wanted:
        raise QuestionBankError(f"{name}: version field says {bank.version}, file name says {wanted}")
    return bank


def load_path(path: Path) -> QuestionBank:
    """Load a bank from a file, e.g. an edited copy to be checked before it is published."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    return loads(raw, origin=path.name)


def loads(raw: bytes | str, *, origin: str = "question bank") -> QuestionBank:
    """Parse and validate a bank from JSON text."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_BYTES:
        raise QuestionBankError(f"{origin}: larger than {MAX_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise QuestionBankError(f"{origin}: not valid JSON ({exc})") from exc
    return parse(data, origin=origin)


def parse(data: object, *, origin: str = "question bank") -> QuestionBank:
    """Validate already-decoded JSON into a QuestionBank; every error names the item at fault."""
    return _Parser(origin).bank(data)


class _Parser:
    """Walks the JSON keeping the path, so that an error says exactly which item is wrong."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.languages: tuple[str, ...] = ("en",)

    def fail(self, where: str, problem: str) -> QuestionBankError:
        return QuestionBankError(f"{self.origin}: {where}: {problem}")

    def obj(
        self, value: object, where: str, required: set[str], optional: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        missing = sorted(required - value.keys())
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        unknown = sorted(value.keys() - required - optional)
        if unknown:
            raise self.fail(where, f"unknown field(s) {', '.join(unknown)}")
        return value

    def items(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "must be a non-empty list")
        return value

    def string(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be a non-empty string")
        return value.strip()

    def code(self, value: object, where: str, seen: set[str]) -> str:
        code = self.string(value, where)
        if not _CODE.match(code):
            raise self.fail(where, f"{code!r} is not a code (lower-case letters, digits, '.', '_' and '-')")
        if code in seen:
            raise self.fail(where, f"duplicate code {code!r}")
        seen.add(code)
        return code

    def article(self, value: object, where: str) -> str:
        article = self.string(value, where)
        if not _ARTICLE.match(article):
            raise self.fail(where, f"{article!r} is not an article reference like 6(1), 7(1)(b)(iv) or 11(2)")
        return article

    def text(self, value: object, where: str) -> Text:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be an object with the languages {', '.join(self.languages)}")
        for language in self.languages:
            if not isinstance(value.get(language), str) or not value[language].strip():
                raise self.fail(f"{where}.{language}", "missing or empty translation")
        unknown = sorted(value.keys() - set(self.languages))
        if unknown:
            raise self.fail(where, f"language(s) not declared in 'languages': {', '.join(unknown)}")
        return Text({lang: value[lang].strip() for lang in self.languages})

    def criterion(self, value: object, where: str) -> Criterion:
        try:
            return Criterion(self.string(value, where))
        except ValueError:
            known = ", ".join(c.value for c in Criterion)
            raise self.fail(where, f"unknown criterion {value!r} (known: {known})") from None

    def bank(self, data: object) -> QuestionBank:
        top = self.obj(
            data,
            "top level",
            {"schema", "version", "published", "languages", "title", "ratings", "gate_answers", "sources", "sections"},
            frozenset({"notes", "mitigations"}),
        )
        if top["schema"] != SCHEMA:
            raise self.fail("schema", f"must be {SCHEMA!r}")
        version = top["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", "must be a whole number from 1")
        published = self.string(top["published"], "published")
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", published):
            raise self.fail("published", "must be a date YYYY-MM-DD")
        languages = [
            self.string(lang, f"languages[{i}]") for i, lang in enumerate(self.items(top["languages"], "languages"))
        ]
        if "en" not in languages or "es" not in languages:
            raise self.fail("languages", "must include en and es")
        self.languages = tuple(languages)
        title = self.text(top["title"], "title")
        ratings = self.labels(top["ratings"], "ratings", tuple(r.value for r in Rating))
        gate_answers = self.labels(top["gate_answers"], "gate_answers", _GATE_ANSWERS)
        sources = self.sources(top["sources"])
        source_codes = {s.code for s in sources}
        seen: set[str] = set()
        sections = tuple(
            self.section(raw, f"sections[{i}]", seen, source_codes)
            for i, raw in enumerate(self.items(top["sections"], "sections"))
        )
        question_codes: set[str] = set()
        for section in sections:
            for question in section.questions:
                if question.code in question_codes:
                    raise self.fail(f"section {section.code!r}", f"duplicate question code {question.code!r}")
                question_codes.add(question.code)
        covered = {q.criterion for s in sections for q in s.questions}
        uncovered = [c.value for c in Criterion if c not in covered]
        if uncovered:
            raise self.fail("sections", f"no question feeds criterion(s) {', '.join(uncovered)}")
        mitigations = self.mitigations(top.get("mitigations", []))
        notes = top.get("notes", "")
        if not isinstance(notes, str):
            raise self.fail("notes", "must be a string")
        return QuestionBank(
            version=version,
            published=published,
            languages=self.languages,
            title=title,
            notes=notes,
            ratings=ratings,
            gate_answers=gate_answers,
            sources=sources,
            sections=sections,
            mitigations=mitigations,
        )

    def labels(self, value: object, where: str, expected: tuple[str, ...]) -> tuple[Label, ...]:
        labels = []
        for i, raw in enumerate(self.items(value, where)):
            item = self.obj(raw, f"{where}[{i}]", {"code", "label"})
            code = self.string(item["code"], f"{where}[{i}].code")
            labels.append(Label(code, self.text(item["label"], f"{where[:-1]} {code!r}.label")))
        codes = tuple(label.code for label in labels)
        if codes != expected:
            raise self.fail(where, f"must be exactly {', '.join(expected)} in that order, not {', '.join(codes)}")
        return tuple(labels)

    def sources(self, value: object) -> tuple[Source, ...]:
        seen: set[str] = set()
        sources = []
        for i, raw in enumerate(self.items(value, "sources")):
            where = f"sources[{i}]"
            item = self.obj(raw, where, {"code", "kind", "url", "name"})
            code = self.code(item["code"], f"{where}.code", seen)
            where = f"source {code!r}"
            try:
                kind = SourceKind(item["kind"])
            except ValueError:
                raise self.fail(where, f"kind must be external or internal, not {item['kind']!r}") from None
            url = item["url"]
            if kind is SourceKind.EXTERNAL and (not isinstance(url, str) or not url.startswith("https://")):
                raise self.fail(where, "an external source needs an https:// url")
            if kind is SourceKind.INTERNAL and url is not None:
                raise self.fail(where, "an internal source has no url (null)")
            sources.append(Source(code, kind, url, self.text(item["name"], f"{where}.name")))
        return tuple(sources)

    def section(self, value: object, where: str, seen: set[str], source_codes: set[str]) -> Section:
        item = self.obj(value, where, {"code", "title", "intro", "questions"})
        code = self.code(item["code"], f"{where}.code", seen)
        where = f"section {code!r}"
        question_seen: set[str] = set()
        questions = tuple(
            self.question(raw, f"{where} questions[{i}]", code, question_seen, source_codes)
            for i, raw in enumerate(self.items(item["questions"], f"{where}.questions"))
        )
        return Section(
            code, self.text(item["title"], f"{where}.title"), self.text(item["intro"], f"{where}.intro"), questions
        )

    def question(self, value: object, where: str, section: str, seen: set[str], source_codes: set[str]) -> Question:
        item = self.obj(value, where, {"code", "kind", "article", "criterion", "text", "guidance", "sources"})
        code = self.code(item["code"], f"{where}.code", seen)
        where = f"question {code!r}"
        try:
            kind = QuestionKind(item["kind"])
        except ValueError:
            raise self.fail(where, f"kind must be gate or rating, not {item['kind']!r}") from None
        criterion = self.criterion(item["criterion"], f"{where}.criterion")
        if (kind is QuestionKind.GATE) != criterion.is_gate:
            raise self.fail(where, f"a {kind.value} question cannot feed criterion {criterion.value}")
        article = self.article(item["article"], f"{where}.article")
        sources = tuple(
            self.string(s, f"{where}.sources[{i}]")
            for i, s in enumerate(self.items(item["sources"], f"{where}.sources"))
        )
        unknown = sorted(set(sources) - source_codes)
        if unknown:
            raise self.fail(where, f"unknown source(s) {', '.join(unknown)}")
        return Question(
            code=code,
            section=section,
            kind=kind,
            article=article,
            criterion=criterion,
            text=self.text(item["text"], f"{where}.text"),
            guidance=self.text(item["guidance"], f"{where}.guidance"),
            sources=sources,
        )

    def mitigations(self, value: object) -> tuple[MitigationType, ...]:
        if not isinstance(value, list):
            raise self.fail("mitigations", "must be a list")
        seen: set[str] = set()
        result = []
        for i, raw in enumerate(value):
            where = f"mitigations[{i}]"
            item = self.obj(raw, where, {"code", "article", "criteria", "default_effect", "name", "description"})
            code = self.code(item["code"], f"{where}.code", seen)
            where = f"mitigation {code!r}"
            criteria = frozenset(
                self.criterion(c, f"{where}.criteria[{j}]")
                for j, c in enumerate(self.items(item["criteria"], f"{where}.criteria"))
            )
            gates = sorted(c.value for c in criteria if c.is_gate)
            if gates:
                raise self.fail(where, f"Art. 6 prohibitions cannot be mitigated ({', '.join(gates)})")
            effect = item["default_effect"]
            if not isinstance(effect, int) or isinstance(effect, bool) or not 0 <= effect <= MAX_MITIGATION_STEPS:
                raise self.fail(where, f"default_effect must be a whole number from 0 to {MAX_MITIGATION_STEPS}")
            result.append(
                MitigationType(
                    code=code,
                    article=self.article(item["article"], f"{where}.article"),
                    criteria=criteria,
                    default_effect=effect,
                    name=self.text(item["name"], f"{where}.name"),
                    description=self.text(item["description"], f"{where}.description"),
                )
            )
        return tuple(result)


def iter_texts(bank: QuestionBank) -> Iterator[tuple[str, Text]]:
    """Every translatable text with a name saying where it is, e.g. for a completeness report."""
    yield "title", bank.title
    for label in (*bank.ratings, *bank.gate_answers):
        yield f"label {label.code}", label.label
    for source in bank.sources:
        yield f"source {source.code}", source.name
    for section in bank.sections:
        yield f"section {section.code}.title", section.title
        yield f"section {section.code}.intro", section.intro
        for q in section.questions:
            yield f"question {q.code}.text", q.text
            yield f"question {q.code}.guidance", q.guidance
    for m in bank.mitigations:
        yield f"mitigation {m.code}.name", m.name
        yield f"mitigation {m.code}.description", m.description
