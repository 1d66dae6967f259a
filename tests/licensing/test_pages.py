"""The licensing pages: lists with filters in the URL, the task list, the case page, forms and confirmation
pages for each role; a refused action shows its message, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from attkit.licensing import services
from attkit.licensing.models import Case, CaseState
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


def page(client, user, url, **data):
    client.force_login(user)
    response = client.post(url, data) if data else client.get(url)
    assert response.status_code < 500, response.content[:2000]
    return response


def test_case_list_filters_sorts_paginates_and_has_an_empty_state(world, client):
    officer = world["de.officer"]
    empty = page(client, officer, "/cases/")
    assert 'data-testid="empty-state"' in empty.content.decode()
    case = w.submitted(world)
    listing = page(client, officer, "/cases/?state=screening&kind=export&flag=blocking&sort=reference")
    assert case.reference in listing.content.decode()
    none = page(client, officer, "/cases/?state=refused")
    assert "No case matches these filters" in none.content.decode()
    assert page(client, officer, "/cases/?sort=nonsense&page=99&state=<script>").status_code == 200


def test_an_applicant_applies_through_the_task_list_and_checks_answers(world, client):
    applicant = world["de.applicant"]
    assert "Apply for a licence" in page(client, applicant, "/cases/mine/").content.decode()
    created = page(
        client,
        applicant,
        "/cases/new/",
        kind="export",
        permanence="permanent",
        destination_country="MX",
        end_use="Police.",
    )
    assert created.status_code == 302
    case = Case.objects.get()
    tasks = page(client, applicant, f"/cases/{case.pk}/apply/").content.decode()
    assert "Not started" in tasks and "Check your answers" not in tasks
    bad = page(client, applicant, f"/cases/{case.pk}/apply/parties/", role="end_user", name="", country="Mexico")
    assert bad.status_code == 200 and "Enter the party&#x27;s name" in bad.content.decode()
    for party in w.export_application(world)["parties"][:2]:
        page(client, applicant, f"/cases/{case.pk}/apply/parties/", **{**party, "is_state_body": "on"})
    bad = page(
        client,
        applicant,
        f"/cases/{case.pk}/apply/goods/",
        description="Rifle",
        un_category="VIII",
        quantity="lots",
        unit="unit",
        currency="EUR",
    )
    assert "whole number" in bad.content.decode() and "small arms or light weapons line" in bad.content.decode()
    page(
        client,
        applicant,
        f"/cases/{case.pk}/apply/goods/",
        description="Rifle",
        un_category="VIII",
        salw_line="SA-2",
        hs_code="9301.90",
        quantity="10",
        unit="unit",
        value="1000",
        currency="EUR",
    )
    page(
        client,
        applicant,
        f"/cases/{case.pk}/apply/euc/",
        euc_serial=world.euc.serial,
        euc_seal_text=world.euc.seal_text,
    )
    page(client, applicant, f"/cases/{case.pk}/apply/transit/", countries="")
    tasks = page(client, applicant, f"/cases/{case.pk}/apply/").content.decode()
    assert "Check your answers" in tasks
    check = page(client, applicant, f"/cases/{case.pk}/apply/check/").content.decode()
    assert case.reference in check and "Submit the application" in check
    submitted = client.post(f"/cases/{case.pk}/apply/check/")
    assert submitted.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SCREENING
    detail = page(client, applicant, f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="next-action"' in detail and "Withdraw the application" in detail
    assert 'data-testid="flags"' not in detail  # flags and screening are for officials
    assert page(client, world["de.other_applicant"], f"/cases/{case.pk}/").status_code == 404


def test_the_case_page_shows_reference_status_next_action_and_holder(world, client):
    case = w.submitted(world)
    html = page(client, world["de.officer"], f"/cases/{case.pk}/").content.decode()
    assert case.reference in html and "Review the screening hits" in html and "Licensing officer" in html
    assert 'data-testid="hits"' in html and 'data-testid="flags"' in html
    assert page(client, world["mx.officer"], f"/cases/{case.pk}/").status_code == 404


def test_officials_work_a_case_through_the_pages(world, client):
    case = w.submitted(world)
    hit = case.hits.get()
    page(client, world["de.supervisor"], f"/cases/{case.pk}/hits/{hit.pk}/review/")
    page(
        client,
        world["de.supervisor"],
        f"/cases/{case.pk}/hits/{hit.pk}/review/",
        decision="false_positive",
        reason="Other.",
    )
    page(client, world["de.officer"], f"/cases/{case.pk}/screening-clear/")
    done = page(client, world["de.officer"], f"/cases/{case.pk}/screening-clear/", confirm="1")
    assert done.status_code == 302
    advice = page(client, world["de.defence"], f"/cases/{case.pk}/advice/")
    assert "Give the advice" in advice.content.decode()
    empty = page(client, world["de.defence"], f"/cases/{case.pk}/advice/", outcome="approve", reasons="")
    assert "Give the reasons" in empty.content.decode()
    page(client, world["de.defence"], f"/cases/{case.pk}/advice/", outcome="approve", reasons="Fine.")
    page(client, world["de.foreign"], f"/cases/{case.pk}/advice/", outcome="no_objection", reasons="Fine.")
    assessment_page = page(client, world["de.assessor"], f"/assessment/cases/{case.pk}/").content.decode()
    assert "Art. 6" in assessment_page or "6(1)" in assessment_page
    w.assessed(world, case)
    decision = page(client, world["de.officer"], f"/cases/{case.pk}/decision/").content.decode()
    assert "countersign" in decision
    refused = page(client, world["de.officer"], f"/cases/{case.pk}/decision/", outcome="refuse", reasons="x")
    assert "at least one criterion" in refused.content.decode()
    page(client, world["de.officer"], f"/cases/{case.pk}/decision/", outcome="approve", reasons="All agree.")
    own = page(client, world["de.officer"], f"/cases/{case.pk}/countersign/")
    assert own.status_code == 403
    confirm = page(client, world["de.supervisor"], f"/cases/{case.pk}/countersign/").content.decode()
    assert 'data-testid="consequence"' in confirm
    page(client, world["de.supervisor"], f"/cases/{case.pk}/countersign/", agree="yes", reason="")
    assert page(client, world["de.officer"], f"/cases/{case.pk}/issue/").status_code == 200
    page(client, world["de.officer"], f"/cases/{case.pk}/issue/", valid_until="")
    case.refresh_from_db()
    assert case.state == CaseState.LICENCE_ISSUED
    lookup = page(client, world["de.customs"], "/cases/shipments/", reference=case.reference)
    assert lookup.status_code == 302
    over = page(
        client,
        world["de.customs"],
        f"/cases/{case.pk}/shipments/new/",
        declaration_number="X-1",
        shipment_date=dt.date.today().isoformat(),
        qty_1="500",
    )
    assert "Over-shipment refused" in over.content.decode()
    page(
        client,
        world["de.customs"],
        f"/cases/{case.pk}/shipments/new/",
        declaration_number="X-1",
        shipment_date=dt.date.today().isoformat(),
        qty_1="5",
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_USE
    for action in ("suspend", "revoke"):
        assert page(client, world["de.supervisor"], f"/cases/{case.pk}/{action}/").status_code == 200
    missing = page(client, world["de.supervisor"], f"/cases/{case.pk}/suspend/", reason="")
    assert "Give a reason" in missing.content.decode()
    page(client, world["de.supervisor"], f"/cases/{case.pk}/suspend/", reason="New information.")
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    html = page(client, world["de.officer"], f"/cases/{case.pk}/").content.decode()
    assert "Licence suspended" in html and 'data-testid="history"' in html


def test_the_verification_page_gives_an_unmissable_verdict(world, client):
    case = w.issued(world)
    verdict = page(client, world["mx.customs"], "/cases/licence/verify/", text=case.licence_seal).content.decode()
    assert "attkit-verdict--valid" in verdict and 'data-testid="quantities-left"' in verdict
    bad = page(client, world["mx.customs"], "/cases/licence/verify/", text=case.licence_seal[:-8] + "AAAAAAAA")
    assert "attkit-verdict--invalid" in bad.content.decode()
    empty = page(client, world["mx.customs"], "/cases/licence/verify/", text="")
    assert "Paste the seal text" in empty.content.decode()


def test_denial_notices_and_routing_pages(bare_world, client):
    assert 'data-testid="empty-state"' in page(client, bare_world["de.officer"], "/cases/denials/").content.decode()
    routing = page(client, bare_world["de.supervisor"], "/cases/routing/").content.decode()
    assert "Ministry of Defence" in routing
    assert page(client, bare_world["de.officer"], "/cases/routing/", agency="x").status_code == 403
    added = page(
        client,
        bare_world["de.supervisor"],
        "/cases/routing/",
        agency=str(bare_world.agencies["de.customs"].pk),
        kind="",
        category="VIII",
        destination="",
        note="SALW",
    )
    assert added.status_code == 302


def test_withdrawing_needs_the_confirmation_page(bare_world, client):
    case = services.create_application(by=bare_world["de.applicant"], data=w.export_application(bare_world))
    confirm = page(client, bare_world["de.applicant"], f"/cases/{case.pk}/withdraw/").content.decode()
    assert "cannot take this back" in confirm
    page(client, bare_world["de.applicant"], f"/cases/{case.pk}/withdraw/", reason="Cancelled.")
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN


def test_a_role_without_the_permission_gets_403_with_a_message(bare_world, client):
    case = services.create_application(by=bare_world["de.applicant"], data=w.export_application(bare_world))
    response = page(client, bare_world["de.customs"], f"/cases/{case.pk}/decision/")
    assert response.status_code == 403
    assert page(client, bare_world["de.applicant"], "/cases/").status_code == 403


def test_the_case_page_in_spanish(world, client):
    case = w.submitted(world)
    client.force_login(world["de.officer"])
    html = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in html and "Próxima acción" in html


def test_the_hubs_verification_page_shows_the_licence_and_its_register(world, client):
    case = w.issued(world)
    client.force_login(world["mx.customs"])
    html = client.post("/seals/verify/", {"way": "paste", "paste-text": case.licence_seal}).content.decode()
    assert 'data-testid="sealed-licence"' in html and case.reference in html
    assert 'data-testid="quantities-left"' in html
