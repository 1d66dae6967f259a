"""Fixtures for end-user certificate tests: officials of MX (issuing) and DE (exporting), a complete request."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from attkit.core.permissions import Role

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "euc-request.json"


@pytest.fixture(autouse=True)
def _keys_in_the_database(settings: Any) -> None:
    # Encrypted keys in the test database: no key file is written under var/keys.
    settings.KEY_ENCRYPTION_KEY = "test-key-encryption-key-for-euc-tests-0123456789"


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Iterator[None]:
    # A Spanish page request leaves Spanish active in the thread; each test starts in English.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def request_data() -> dict[str, Any]:
    return copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))


@pytest.fixture
def drafter(make_user: Callable[..., Any]) -> Any:
    return make_user("MX", Role.EUC_ISSUER, username="mx.drafter")


@pytest.fixture
def issuer(make_user: Callable[..., Any]) -> Any:
    return make_user("MX", Role.EUC_ISSUER, username="mx.issuer")


@pytest.fixture
def supervisor(make_user: Callable[..., Any]) -> Any:
    return make_user("MX", Role.SUPERVISOR, username="mx.supervisor")


@pytest.fixture
def de_verifier(make_user: Callable[..., Any]) -> Any:
    return make_user("DE", Role.EUC_VERIFIER, username="de.verifier")


@pytest.fixture
def fr_verifier(make_user: Callable[..., Any]) -> Any:
    return make_user("FR", Role.EUC_VERIFIER, username="fr.verifier")


@pytest.fixture
def make_issued(drafter: Any, issuer: Any, request_data: dict[str, Any]) -> Callable[..., Any]:
    from attkit.euc import services

    def make(data: dict[str, Any] | None = None) -> Any:
        euc = services.draft_from_request(by=drafter, request=data or request_data)
        # draft_from_request by a user records that user as the drafter; four eyes: another issues.
        return services.issue(euc.pk, by=issuer)

    return make


@pytest.fixture
def issued(make_issued: Callable[..., Any]) -> Any:
    return make_issued()
