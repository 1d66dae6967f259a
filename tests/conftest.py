"""Shared fixtures: authorities, users with roles, logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from attkit.core.models import Authority
from attkit.core.permissions import Role

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(scope="module")
def playwright_instance() -> Any:
    """One Playwright per browser test module (two at once in a process refuse to start). Not per session:
    a live sync Playwright keeps an asyncio loop running in the main thread, so any later test of the same
    process that calls asyncio.run() (pyHanko signs PDFs that way) would fail with "cannot be called from a
    running event loop"."""
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def cli_keeps_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running `attkit.cli.main` in-process: Django closes every connection after a command, which on
    PostgreSQL ends the test's transaction; the command's own work is unchanged."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)


@pytest.fixture(autouse=True)
def _reset_language() -> Iterator[None]:
    """A test's requests leave their language active in the thread (LocaleMiddleware activates it and
    nothing deactivates it): start every test from the default language so the order of tests does not matter."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_var(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keys and uploads of a test go to a temporary folder, never into the developer's var/."""
    root = tmp_path_factory.mktemp("var")
    settings.KEYS_DIR = root / "keys"
    settings.MEDIA_ROOT = root / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "media")},
        },
    }


@pytest.fixture
def make_authority(db: None) -> Callable[..., Authority]:
    def make(code: str = "MX", **kwargs: Any) -> Authority:
        defaults = {"country": code[:2], "name_en": f"{code} authority", "name_es": f"Autoridad {code}"}
        defaults.update(kwargs)
        authority, _ = Authority.objects.get_or_create(code=code, defaults=defaults)
        return authority

    return make


@pytest.fixture
def make_user(make_authority: Callable[..., Authority]) -> Callable[..., Any]:
    from attkit.accounts.services import create_user

    counter = {"n": 0}

    def make(authority: str | Authority | None = "MX", *roles: Role, username: str | None = None, **kwargs: Any) -> Any:
        counter["n"] += 1
        auth = make_authority(authority) if isinstance(authority, str) else authority
        name = username or f"user{counter['n']}_{'_'.join(r.value for r in roles) or 'none'}"
        return create_user(username=name, authority=auth, roles=list(roles), password=PASSWORD, **kwargs)

    return make


@pytest.fixture
def login(client: Client) -> Callable[[Any], Client]:
    def do(user: Any, c: Client | None = None) -> Client:
        target = c or client
        target.force_login(user)
        return target

    return do


@pytest.fixture
def mx(make_authority: Callable[..., Authority]) -> Authority:
    return make_authority("MX")


@pytest.fixture
def de(make_authority: Callable[..., Authority]) -> Authority:
    return make_authority("DE")
