"""The two licensing journeys of issue 5 in Chromium, each step by the person who takes it:

(a) an export: application -> screening hit cleared as a false positive -> advice from Defence and Foreign
Affairs -> assessment -> approval countersigned -> sealed licence PDF verified -> two shipments -> exhausted;
(b) a refusal under Art. 6(1) for a destination under a UN arms embargo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from attkit.assessment import services as assessment
from tests.conftest import PASSWORD
from tests.licensing import world as w

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Any) -> None:
    settings.KEY_ENCRYPTION_KEY = "test-key-encryption-key-for-licensing-tests-0123456789"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


class People:
    """One browser context per person, signed in once."""

    def __init__(self, browser: Any, live_server: Any) -> None:
        self.browser = browser
        self.url = live_server.url
        self.pages: dict[str, Any] = {}
        self.contexts: list[Any] = []

    def __call__(self, username: str) -> Any:
        if username not in self.pages:
            context = self.browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
            self.contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(20000)
            page.goto(f"{self.url}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            self.pages[username] = page
        return self.pages[username]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[People]:
    crowd = People(browser, live_server)
    yield crowd
    crowd.close()


def open_case(page: Any, base: str, case_id: str) -> None:
    page.goto(f"{base}/cases/{case_id}/")
    page.wait_for_load_state()


def tick(page: Any, selector: str) -> None:
    """Check a radio button or checkbox as a person does: by its label (USWDS draws the box on the label)."""
    element_id = page.locator(selector).get_attribute("id")
    page.click(f"label[for='{element_id}']")


def status(page: Any) -> str:
    """The status tag's words (the tag shows them in capitals by CSS)."""
    return str(page.locator("[data-testid=case-status]").text_content()).strip()


def click(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def add_party(page: Any, party: dict[str, Any]) -> None:
    page.select_option("#id_role", party["role"])
    page.fill("#id_name", party["name"])
    page.fill("#id_country", party["country"])
    if party.get("is_state_body"):
        tick(page, "#id_is_state_body")
    click(page, "main form.usa-form button[type=submit]")


def apply(page: Any, base: str, data: dict[str, Any], line: dict[str, Any]) -> str:
    """The applicant's task list, from the first page to the submitted application; the case id."""
    page.goto(f"{base}/cases/mine/")
    click(page, "[data-testid=start-application]")
    page.select_option("#id_kind", data["kind"])
    page.fill("#id_destination_country", data["destination_country"])
    page.fill("#id_end_use", data["end_use"])
    click(page, "main button[type=submit]")
    case_id = page.url.rstrip("/").split("/")[-2]
    click(page, "[data-testid=task-parties]")
    for party in data["parties"]:
        add_party(page, party)
    page.goto(f"{base}/cases/{case_id}/apply/goods/")
    page.fill("#id_description", line["description"])
    page.select_option("#id_un_category", line["un_category"])
    page.select_option("#id_salw_line", line["salw_line"])
    page.fill("#id_hs_code", line["hs_code"])
    page.fill("#id_quantity", str(line["quantity"]))
    page.fill("#id_value", line["value"])
    page.select_option("#id_currency", line["currency"])
    click(page, "main form.usa-form button[type=submit]")
    page.goto(f"{base}/cases/{case_id}/apply/euc/")
    page.fill("#id_euc_serial", data["euc_serial"])
    if data.get("euc_seal_text"):
        page.fill("#id_euc_seal_text", data["euc_seal_text"])
    click(page, "main form.usa-form button[type=submit]")
    page.goto(f"{base}/cases/{case_id}/apply/")
    click(page, "[data-testid=check-answers]")
    assert page.locator("h1").inner_text() == "Check your answers before submitting"
    click(page, "[data-testid=submit-application]")
    return case_id


def answer_the_bank(page: Any, base: str, case_id: str, *, gates_yes: tuple[str, ...] = ()) -> None:
    page.goto(f"{base}/assessment/cases/{case_id}/")
    for question in assessment.bank().questions:
        anchor = question.code.replace(".", "-")
        if question.kind.value == "gate":
            tick(page, f"#{anchor}-{'yes' if question.code in gates_yes else 'no'}")
        else:
            tick(page, f"#{anchor}-low")
        page.fill(f"#{anchor}-evidence", w.LOW_RISK)
    click(page, "[data-testid=save-assessment]")
    click(page, "[data-testid=complete-assessment]")


def test_export_journey_in_the_browser(people, live_server, make_user, make_authority, tmp_path):
    world = w.build(make_user, make_authority)
    base = live_server.url
    data = w.export_application(world)
    line = {**data["goods"][0], "quantity": 100}

    applicant = people("de.applicant")
    case_id = apply(applicant, base, data, line)
    assert status(applicant) == "Screening"

    supervisor = people("de.supervisor")
    open_case(supervisor, base, case_id)
    assert "Review the screening hits" in supervisor.locator("[data-testid=next-action]").inner_text()
    click(supervisor, "[data-testid=hits] a:has-text('Review')")
    tick(supervisor, "#id_decision_0")
    supervisor.fill("#id_reason", "A registered French freight forwarder, not the listed person.")
    click(supervisor, "[data-testid=confirm]")
    assert "False positive" in supervisor.locator("[data-testid=hits]").inner_text()

    officer = people("de.officer")
    open_case(officer, base, case_id)
    click(officer, "[data-testid=actions] a:has-text('Clear screening')")
    click(officer, "[data-testid=confirm]")
    assert status(officer) == "Under assessment"

    for adviser, outcome in (("de.defence", "approve"), ("de.foreign", "approve_with_conditions")):
        page = people(adviser)
        page.goto(f"{base}/cases/{case_id}/advice/")
        tick(page, f"input[name=outcome][value={outcome}]")
        page.fill("#id_reasons", "Standard police equipment; no concern in open sources.")
        if outcome == "approve_with_conditions":
            page.fill("#id_conditions", "Delivery verification certificate within 60 days.")
        click(page, "[data-testid=confirm]")
        assert "Advice recorded" in page.content()

    answer_the_bank(people("de.assessor"), base, case_id)

    open_case(officer, base, case_id)
    click(officer, "[data-testid=actions] a:has-text('Propose a decision')")
    tick(officer, "input[name=outcome][value=approve]")
    officer.fill("#id_reasons", "Defence and Foreign Affairs approve; the assessment finds a low risk.")
    officer.fill("#id_conditions", "Delivery verification certificate within 60 days.")
    click(officer, "[data-testid=confirm]")
    assert status(officer) == "Awaiting countersignature"

    open_case(supervisor, base, case_id)
    click(supervisor, "[data-testid=actions] a:has-text('Countersign')")
    assert supervisor.locator("[data-testid=consequence]").is_visible()
    tick(supervisor, "input[name=agree][value=yes]")
    click(supervisor, "[data-testid=confirm]")
    assert status(supervisor) == "Approved"

    open_case(officer, base, case_id)
    click(officer, "[data-testid=actions] a:has-text('Issue the licence')")
    click(officer, "[data-testid=confirm]")
    assert status(officer) == "Licence issued"
    with officer.expect_download() as download:
        officer.click("[data-testid=licence-pdf]")
    pdf = tmp_path / "licence.pdf"
    download.value.save_as(pdf)

    customs = people("de.customs")
    customs.goto(f"{base}/cases/licence/verify/")
    customs.set_input_files("#id_file", str(pdf))
    click(customs, "[data-testid=verify]")
    verdict = customs.locator("[data-testid=verdict]")
    assert verdict.get_attribute("data-verdict") == "valid"
    assert "Valid licence" in verdict.inner_text()

    today = dt.date.today().isoformat()
    for number, quantity in (("ATLAS-E2E-1", 60), ("ATLAS-E2E-2", 40)):
        open_case(customs, base, case_id)
        click(customs, "[data-testid=actions] a:has-text('Record a shipment')")
        customs.fill("#id_declaration_number", number)
        customs.fill("#id_shipment_date", today)
        customs.fill("#id_qty_1", str(quantity))
        click(customs, "[data-testid=confirm]")
    assert status(customs) == "Licence exhausted"
    assert customs.locator("[data-testid=shipped-1]").inner_text() == "100"


def test_refusal_under_article_6_1_in_the_browser(people, live_server, make_user, make_authority):
    w.build(make_user, make_authority, with_euc=False)
    base = live_server.url
    data = w.embargoed_application()
    line = {**data["goods"][0], "value": "60000", "currency": "USD"}

    applicant = people("de.applicant")
    case_id = apply(applicant, base, data, line)

    supervisor = people("de.supervisor")
    open_case(supervisor, base, case_id)
    flags = supervisor.locator("[data-testid=flags]")
    assert "UN arms embargo" in flags.inner_text() and "2428" in flags.inner_text()
    while supervisor.locator("[data-testid=flags] a:has-text('Resolve')").count():
        click(supervisor, "[data-testid=flags] a:has-text('Resolve')")
        tick(supervisor, "input[name=resolution][value=confirmed]")
        supervisor.fill("#id_reason", "Confirmed: South Sudan is under a full UN arms embargo.")
        click(supervisor, "[data-testid=confirm]")

    officer = people("de.officer")
    open_case(officer, base, case_id)
    click(officer, "[data-testid=actions] a:has-text('Clear screening')")
    click(officer, "[data-testid=confirm]")

    assessor = people("de.assessor")
    answer_the_bank(assessor, base, case_id, gates_yes=("art6.1.destination",))
    open_case(officer, base, case_id)
    assert "requires a refusal" in officer.locator("[data-testid=assessment-required]").inner_text()

    click(officer, "[data-testid=actions] a:has-text('Propose a decision')")
    assert officer.locator("[data-testid=required-refusal]").is_visible()
    tick(officer, "input[name=outcome][value=approve]")
    officer.fill("#id_reasons", "Trying to approve.")
    click(officer, "[data-testid=confirm]")
    assert "cannot be approved" in officer.locator("[data-error-summary]").inner_text()
    tick(officer, "input[name=outcome][value=refuse]")
    tick(officer, "input[name=criteria][value='ATT-6.1']")
    officer.fill("#id_reasons", "The UN Security Council's arms embargo on South Sudan prohibits the transfer.")
    click(officer, "[data-testid=confirm]")

    open_case(supervisor, base, case_id)
    click(supervisor, "[data-testid=actions] a:has-text('Countersign')")
    tick(supervisor, "input[name=agree][value=yes]")
    click(supervisor, "[data-testid=confirm]")
    assert status(supervisor) == "Refused"
    assert supervisor.locator("[data-testid=refusal-pdf]").is_visible()
    click(supervisor, "[data-testid=actions] a:has-text('Share a denial notice')")
    click(supervisor, "[data-testid=confirm]")
    mx = people("mx.officer")
    mx.goto(f"{base}/cases/denials/")
    assert "Juba Guard Services Ltd" in mx.locator("[data-testid=denials]").inner_text()


def test_licensing_pages_pass_axe(people, live_server, make_user, make_authority):
    from axe_playwright_python.sync_playwright import Axe

    from attkit.licensing import services

    world = w.build(make_user, make_authority)
    case = w.submitted(world)
    draft = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    base = live_server.url
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    checks = [
        ("de.officer", f"/cases/{case.pk}/"),
        ("de.officer", "/cases/?state=screening"),
        ("de.applicant", f"/cases/{draft.pk}/apply/"),
        ("de.applicant", f"/cases/{draft.pk}/apply/goods/"),
        ("de.applicant", f"/cases/{draft.pk}/apply/check/"),
        ("de.supervisor", f"/cases/{case.pk}/hits/{case.hits.get().pk}/review/"),
        ("de.customs", "/cases/licence/verify/"),
    ]
    for username, path in checks:
        page = people(username)
        page.goto(f"{base}{path}")
        results = axe.run(page, options=options)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
