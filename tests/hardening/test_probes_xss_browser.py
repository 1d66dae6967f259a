"""Cross-site scripting in a real browser: stored payloads are shown as text in Chromium and never run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from attkit.core.permissions import Role
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.hardening.test_probes_xss import FULL

pytestmark = pytest.mark.e2e


@pytest.fixture
def chromium_page(playwright_instance: Any) -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
    browser.close()


def test_a_stored_payload_never_runs(live_server: Any, chromium_page: Any, make_user: Any) -> None:
    from django.conf import settings
    from django.test import Client

    admin = make_user("MX", Role.ADMINISTRATOR, username="mx.xss.admin")
    make_user("MX", Role.ASSESSOR, username="mx.xss.victim", first_name=FULL, last_name=FULL, job_title=FULL)
    page = chromium_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    client = Client()
    client.force_login(admin)  # the session cookie a sign-in would give; sign-in itself is tested in tests/e2e
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/users/")
    page.wait_for_load_state("load")
    assert "mx.xss.victim" in page.content()
    # Shown as the text the user typed...
    assert page.get_by_text("onerror=alert('PROBE')", exact=False).count() > 0
    # ...and nothing it describes exists or ran.
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length") == 0
    assert page.evaluate("[...document.scripts].filter(s => !s.src).length") == 0
    assert dialogs == []
