"""Fixtures for licensing tests: keys in the database, uploads in a temporary folder, the DE/MX world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from tests.licensing import world as world_module


@pytest.fixture(autouse=True)
def _english() -> Any:
    # A page requested in Spanish leaves Spanish active in this thread: each test starts in English.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Any) -> None:
    # Signing keys encrypted in the test database, uploaded and printed files in a temporary folder.
    settings.KEY_ENCRYPTION_KEY = "test-key-encryption-key-for-licensing-tests-0123456789"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(make_user: Callable[..., Any], make_authority: Callable[..., Any]) -> world_module.World:
    return world_module.build(make_user, make_authority)


@pytest.fixture
def bare_world(make_user: Callable[..., Any], make_authority: Callable[..., Any]) -> world_module.World:
    """The same world without the MX end-user certificate (faster where no EUC is needed)."""
    return world_module.build(make_user, make_authority, with_euc=False)
