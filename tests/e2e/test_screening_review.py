"""The screening review in Chromium, in Spanish: search a name, then clear a hit as a false positive."""

from __future__ import annotations

import pytest

from attkit.core.permissions import Role
from attkit.screening import services
from attkit.screening.loaders import UN_SAMPLE
from attkit.screening.models import HitStatus, ScreeningHit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_searches_and_reviews_a_hit_in_spanish(live_server, page, sign_in, make_user):
    services.invalidate_index()
    services.load_list("un", UN_SAMPLE)
    officer = make_user("MX", Role.LICENSING_OFFICER, username="mx.e2e.screen", language="es")
    subject = services.Subject(
        authority=officer.authority,
        subject_type="test.party",
        subject_id="1",
        label="Muammar Gaddafi (end user)",
        name="Muammar Gaddafi",
    )
    run = services.screen_subject(subject)
    assert run.hits.exists()

    sign_in(page, officer.username, PASSWORD)
    page.click("[data-testid=lang-es]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/screening/")
    page.fill("#id_name", "Gaddafi Muammar")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "posible" in page.locator("main").inner_text().lower()

    page.goto(f"{live_server.url}/screening/hits/")
    assert "Coincidencias por revisar" in page.locator("h1").inner_text()
    page.click("text=Muammar Gaddafi (end user)")
    page.wait_for_load_state()
    # leaving the reason out is refused with an error summary in Spanish
    page.check("input[value=false_positive]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Hay un problema" in page.content()
    page.check("input[value=false_positive]")
    page.fill("#id_reason", "Fecha de nacimiento y nacionalidad distintas; el usuario final es una empresa.")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Su decisión quedó registrada." in page.content()
    first = ScreeningHit.objects.filter(run=run).order_by("-score").first()
    decided = ScreeningHit.objects.filter(run=run, status=HitStatus.FALSE_POSITIVE)
    assert decided.count() == 1 and decided.first().reason.startswith("Fecha de nacimiento")
    assert first is not None
