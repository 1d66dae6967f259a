"""Fixtures for the Django side of seals: a private keys directory per test, a fresh trust cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from attkit.core.models import Authority
from attkit.core.permissions import Role
from attkit.seals import verification


@pytest.fixture(autouse=True)
def _keys_dir(settings: Any, tmp_path: Path) -> Path:
    settings.KEYS_DIR = tmp_path / "keys"
    settings.KEY_ENCRYPTION_KEY = ""
    return settings.KEYS_DIR


@pytest.fixture(autouse=True)
def _fresh_trust() -> Iterator[None]:
    verification.clear_trust_cache()
    yield
    verification.clear_trust_cache()


@pytest.fixture(autouse=True)
def _no_document_apps() -> Iterator[None]:
    """These tests register their own document kinds; the euc app's handlers are set aside meanwhile."""
    handlers, templates = dict(verification._HANDLERS), dict(verification._TEMPLATES)
    verification._HANDLERS.clear()
    verification._TEMPLATES.clear()
    yield
    verification._HANDLERS.clear()
    verification._TEMPLATES.clear()
    verification._HANDLERS.update(handlers)
    verification._TEMPLATES.update(templates)


@pytest.fixture
def kek(settings: Any) -> str:
    from attkit.seals.services import new_kek

    settings.KEY_ENCRYPTION_KEY = new_kek()
    return str(settings.KEY_ENCRYPTION_KEY)


@pytest.fixture
def verifier(make_user: Callable[..., Any]) -> Callable[[str], Any]:
    def make(code: str) -> Any:
        return make_user(code, Role.EUC_VERIFIER)

    return make


@pytest.fixture
def admin_of(make_user: Callable[..., Any]) -> Callable[[str], Any]:
    def make(code: str) -> Any:
        return make_user(code, Role.ADMINISTRATOR)

    return make


@pytest.fixture
def authority(make_authority: Callable[..., Authority]) -> Callable[[str], Authority]:
    return make_authority
