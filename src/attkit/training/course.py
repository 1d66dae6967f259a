"""The course content for the active language, loaded once per process, and the settings read beside it."""

from __future__ import annotations

import json
from functools import lru_cache

from django.utils.translation import get_language

from attkit.training import content_loader as loader

DEFAULT_SIMULATION_PASSING_SCORE = 0.5


def current_lang() -> str:
    """The course language that follows the page's language (Spanish or English)."""
    return "es" if (get_language() or "en").startswith("es") else "en"


@lru_cache(maxsize=len(loader.LANGUAGES))
def course(lang: str | None = None) -> loader.Course:
    return loader.load_course(lang or current_lang())


def active_course() -> loader.Course:
    return course(current_lang())


@lru_cache(maxsize=1)
def cases() -> tuple[loader.Case, ...]:
    return loader.load_cases()


def case(case_id: str) -> loader.Case:
    for item in cases():
        if item.id == case_id:
            return item
    raise KeyError(case_id)


def module_ids() -> tuple[str, ...]:
    return tuple(module.id for module in course("en").modules)


def lesson_ids(module_id: str) -> tuple[str, ...]:
    return tuple(lesson.id for lesson in course("en").module(module_id).lessons)


@lru_cache(maxsize=1)
def simulation_passing_score() -> float:
    """The share of a case's points that counts a simulation as passed (modules.json, with the decision right)."""
    data = json.loads((loader.CONTENT_DIR / "modules.json").read_text(encoding="utf-8"))
    value = data.get("simulation_passing_score", DEFAULT_SIMULATION_PASSING_SCORE)
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1:
        raise loader.ContentError(loader.CONTENT_DIR / "modules.json", "'simulation_passing_score' must be in (0, 1]")
    return float(value)
