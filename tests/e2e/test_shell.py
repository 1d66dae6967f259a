"""The foundation journey in Chromium: sign in, switch to Spanish, see the dashboard; no axe violations."""

from __future__ import annotations

import pytest

from attkit.core.permissions import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_switch_to_spanish_and_see_dashboard(live_server, page, sign_in, make_user):
    user = make_user("MX", Role.LICENSING_OFFICER, username="mx.e2e", first_name="Ana", last_name="Ruiz")
    sign_in(page, user.username, PASSWORD)
    assert page.locator("h1").inner_text() == "Welcome, Ana Ruiz"
    page.click("[data-testid=lang-es]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Bienvenido/a, Ana Ruiz"
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Funcionario de autorizaciones" in page.content()
    assert page.title().startswith("Inicio")
    # keyboard users reach the main content through the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").startswith("usa-skipnav")


def test_pages_pass_axe(live_server, page, sign_in, make_user):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.goto(f"{live_server.url}/accounts/login/")
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()
    user = make_user("MX", Role.LICENSING_OFFICER, username="mx.axe")
    sign_in(page, user.username, PASSWORD)
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()


def test_error_summary_links_to_the_field(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
