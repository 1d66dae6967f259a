"""An end-user certificate from draft to delivery verification, in Spanish, in Chromium.

A Mexican licensing officer drafts it section by section; a second official (four eyes) issues it and
downloads the signed PDF; a German verifier finds it by serial and PDF and records the export's use; the
Mexican issuer records the delivery verification, which closes it.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from attkit.core.permissions import Role
from attkit.euc.models import EndUserCertificate, EucStatus
from tests.conftest import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _keys_in_the_database(settings: Any) -> None:
    settings.KEY_ENCRYPTION_KEY = "e2e-key-encryption-key-for-the-euc-journey-0123456789"


def sign_out(page: Any) -> None:
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()


def assert_accessible(page: Any) -> None:
    """No WCAG 2.1 AA violation that axe finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()


def submit(page: Any, testid: str) -> None:
    page.click(f"[data-testid={testid}]")
    page.wait_for_load_state()


def test_an_euc_from_draft_to_dvc_in_spanish(live_server, page, sign_in, make_user, tmp_path: Path):
    make_user("MX", Role.LICENSING_OFFICER, username="mx.redactora", language="es")
    make_user("MX", Role.EUC_ISSUER, username="mx.emisor", language="es")
    make_user("DE", Role.EUC_VERIFIER, username="de.pruefer", language="es")
    expiry = (dt.date.today() + dt.timedelta(days=300)).isoformat()

    # 1. The officer drafts the certificate, in Spanish.
    sign_in(page, "mx.redactora", PASSWORD)
    page.click("[data-testid=lang-es]")
    page.wait_for_load_state()
    page.click("nav >> text=Certificados de usuario final")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Certificados de usuario final"
    submit(page, "start")
    submit(page, "start-draft")
    assert page.locator("h1").inner_text() == "Borrador de certificado de usuario final"
    assert page.locator("[data-testid=task-list]").inner_text().count("Sin empezar") == 4
    assert_accessible(page)

    page.click("[data-testid=task-details]")
    page.fill("#id_expiry_date", expiry)
    page.fill("#id_official_name", "Lic. Mariana Ejemplo Ruiz")
    page.fill("#id_official_title", "Directora General de Autorizaciones")
    page.fill("#id_contract_number", "SSP-E2E-0001")
    page.select_option("#id_final_destination_country", "MX")
    submit(page, "save")

    page.click("[data-testid=task-parties]")
    page.select_option("#id_role", "exporter")
    page.fill("#id_name", "Demo Wehrtechnik GmbH (ficticia)")
    page.fill("#id_address", "Beispielstraße 12, 70173 Stuttgart")
    page.select_option("#id_country", "DE")
    submit(page, "add-party")
    # A mistake first: the end user without position and address.
    page.select_option("#id_role", "end_user")
    page.fill("#id_name", "Policía Estatal de Ejemplo (ficticia)")
    page.select_option("#id_country", "MX")
    submit(page, "add-party")
    assert "Indique la dirección completa de la parte" in page.locator("[data-error-summary]").inner_text()
    assert_accessible(page)
    page.fill("#id_position", "Coordinación de Logística")
    page.fill("#id_address", "Av. de la Demostración 100, Ciudad de México")
    submit(page, "add-party")
    assert page.locator("[data-testid=parties] tbody tr").count() == 2
    submit(page, "done")

    page.click("[data-testid=task-goods]")
    page.fill("#id_description", "Fusil semiautomático policial")
    page.fill("#id_model", "DW-R16 (ficticio)")
    page.fill("#id_calibre", "5.56 x 45 mm")
    page.select_option("#id_un_category", "VIII")
    page.select_option("#id_salw_line", "SA-2")
    page.fill("#id_hs_code", "930190")
    page.fill("#id_quantity", "120")
    page.select_option("#id_unit", "unit")
    submit(page, "add-line")
    submit(page, "done")

    page.click("[data-testid=task-end_use]")
    page.fill("#id_description", "Dotación de las unidades de seguridad pública")
    for box in ("no_other_use", "no_reexport_without_consent", "no_wmd"):
        page.click(f"label[for=id_{box}]")
    submit(page, "save")
    assert page.locator("[data-testid=task-list]").inner_text().count("Completada") == 4

    submit(page, "check")
    assert page.locator("h1").inner_text() == "Revise sus respuestas"
    assert page.locator("[data-testid=four-eyes]").is_visible()  # the drafter cannot issue
    assert_accessible(page)
    draft_url = page.url
    sign_out(page)

    # 2. A second official issues it and downloads the signed PDF.
    sign_in(page, "mx.emisor", PASSWORD)
    page.goto(draft_url)
    submit(page, "to-issue")
    assert page.locator("h1").inner_text() == "¿Emitir este certificado de usuario final?"
    page.click("label[for=id_confirm]")
    submit(page, "confirm")
    assert page.locator("[data-testid=status]").text_content().strip() == "Emitido"
    serial = page.locator("[data-testid=reference]").inner_text().strip()
    assert_accessible(page)
    assert serial.startswith("MX-EUC-")
    with page.expect_download() as download_info:
        page.click("[data-testid=pdf]")
    pdf_path = tmp_path / f"{serial}.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    certificate_url = page.url
    sign_out(page)

    # 3. The exporting state's verifier finds it by its serial and the PDF, and records the use.
    sign_in(page, "de.pruefer", PASSWORD)
    page.click("nav >> text=Registrar un uso de un certificado")
    page.wait_for_load_state()
    page.fill("#id_serial", serial.lower())
    page.set_input_files("#id_file", str(pdf_path))
    submit(page, "lookup")
    assert page.locator("[data-testid=reference]").inner_text().strip() == serial
    assert page.locator("[data-testid=left-1]").inner_text().startswith("120")
    assert_accessible(page)
    page.fill("#id_licence_reference", "DE-AG-2026-4711")
    page.fill("#id_line_1", "120")
    submit(page, "record-use")
    assert page.locator("[data-testid=use-recorded]").is_visible()
    assert "Uso registrado" in page.locator("h1").inner_text()
    sign_out(page)

    # 4. The importing authority records the delivery: the DVC is sealed and the certificate closes.
    sign_in(page, "mx.emisor", PASSWORD)
    page.goto(certificate_url)
    assert page.locator("[data-testid=status]").text_content().strip() == "Usado"
    submit(page, "deliver")
    page.fill("#id_delivery_date", dt.date.today().isoformat())
    page.fill("#id_checked_by", "Cap. Demo Ejemplo, Almacén Central")
    assert page.input_value("#id_line_1") == "120"
    assert_accessible(page)
    submit(page, "record-delivery")
    assert page.locator("[data-testid=status]").text_content().strip() == "Cerrado (entrega verificada)"
    assert page.locator("[data-testid=delivery]").is_visible()
    assert page.locator("html").get_attribute("lang") == "es"

    euc = EndUserCertificate.objects.get(serial=serial)
    assert euc.status == EucStatus.CLOSED
    assert euc.delivery.seal_text.startswith("DVC1:")
    assert euc.uses.get().exporting_state == "DE"
