"""The treaty status view in Chromium, in Spanish: regional view, a state's record, no axe violations."""

from __future__ import annotations

import pytest

from attkit.core.permissions import Role
from attkit.treaty import services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_treaty_status_in_spanish(live_server, page, sign_in, make_user):
    services.load_bundled()
    user = make_user("MX", Role.LICENSING_OFFICER, username="mx.treaty", first_name="Ana", last_name="Ruiz")
    sign_in(page, user.username, PASSWORD)
    page.click("[data-testid=lang-es]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/treaty/")
    assert page.locator("h1").inner_text() == "Estado del Tratado"
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.title().startswith("Estado del Tratado")
    table = page.locator("[data-testid=treaty-table]")
    assert "Trinidad y Tobago" in table.inner_text()
    assert "desconocido" in table.inner_text()  # Nicaragua: no source, never guessed
    assert "33 Estados" in page.locator("[data-testid=treaty-counts]").inner_text()
    page.select_option("#region", "all")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Alemania" in page.locator("[data-testid=treaty-table]").inner_text()
    page.click("text=México")
    page.wait_for_load_state()
    assert "México" in page.locator("h1").inner_text()
    assert "Obligaciones de presentación de informes" in page.content()
    assert "24 de diciembre de 2014" in page.content()

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()
