"""Fixtures of the reference tests: the real reference sets loaded from the packaged files."""

from __future__ import annotations

import pytest

from attkit.reference import services


@pytest.fixture
def loaded(db: None) -> list[services.SetReport]:
    return services.load()
