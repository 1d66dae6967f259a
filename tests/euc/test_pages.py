"""EUC pages in English and Spanish: the register, the draft task list, confirmations, delivery, the use lookup."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from attkit.core.permissions import Role
from attkit.euc import services
from attkit.euc.models import EndUserCertificate, EucStatus
from tests.core.test_i18n import english_words

pytestmark = pytest.mark.django_db


def spanish(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    return client


def html_of(response: Any) -> str:
    return response.content.decode()


def no_english(response: Any) -> None:
    words = english_words(html_of(response))
    assert not words, f"English on a Spanish page: {sorted(words)}"


# --- the register ---------------------------------------------------------------------------------------------


def test_the_register_is_empty_at_first_and_says_what_to_do(client, login, drafter):
    login(drafter)
    response = client.get("/euc/")
    assert response.status_code == 200
    assert "Start a new certificate" in html_of(response)
    assert 'data-testid="empty"' in html_of(response)


def test_the_register_filters_and_sorts_by_url(client, login, make_issued, drafter, request_data):
    first = make_issued()
    second = make_issued()
    services.draft_from_request(by=drafter, request=request_data)
    login(drafter)
    page = html_of(client.get("/euc/?status=issued&sort=serial"))
    assert page.index(first.serial) < page.index(second.serial)
    assert "2 certificates" in page
    page = html_of(client.get("/euc/?status=issued&sort=-serial"))
    assert page.index(second.serial) < page.index(first.serial)
    assert 'aria-sort="descending"' in page
    page = html_of(client.get("/euc/?status=draft"))
    assert first.serial not in page and "1 certificate" in page
    page = html_of(client.get(f"/euc/?q={first.serial}"))
    assert first.serial in page and second.serial not in page
    page = html_of(client.get("/euc/?status=revoked"))
    assert "No certificate matches these filters." in page


def test_the_register_paginates(client, login, drafter, request_data):
    for _ in range(26):
        services.draft_from_request(by=drafter, request=request_data)
    login(drafter)
    page = html_of(client.get("/euc/"))
    assert "Page 1 of 2" in page
    assert "page=2" in page


def test_the_register_in_spanish(client, login, issued, drafter):
    login(drafter)
    spanish(client)
    response = client.get("/euc/")
    assert "Certificados de usuario final" in html_of(response)
    assert "Emitido" in html_of(response)
    no_english(response)


# --- drafting ------------------------------------------------------------------------------------------------


def test_drafting_section_by_section(client, login, drafter):
    login(drafter)
    response = client.post("/euc/new/")
    assert response.status_code == 302
    euc = EndUserCertificate.objects.get()
    base = f"/euc/{euc.pk}/draft/"
    assert response["Location"] == base
    page = html_of(client.get(base))
    assert page.count("Not started") == 4
    # An error: each message beside its field and in the summary at the top.
    response = client.post(base + "details/", {"expiry_date": "yesterday", "official_name": ""})
    assert response.status_code == 400
    page = html_of(response)
    assert "There is a problem" in page
    assert "Enter the expiry date as YYYY-MM-DD" in page
    assert "Enter the name of the issuing official" in page
    expiry = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    response = client.post(
        base + "details/",
        {
            "expiry_date": expiry,
            "official_name": "Lic. Ejemplo",
            "official_title": "Director",
            "certification_text": "Certified.",
            "contract_number": "C-1",
            "final_destination_country": "MX",
        },
    )
    assert response.status_code == 302
    client.post(
        base + "parties/",
        {"role": "exporter", "name": "Demo GmbH", "address": "Str. 1, Berlin", "country": "DE"},
    )
    response = client.post(base + "parties/", {"role": "end_user", "name": "Policía Demo", "country": "MX"})
    assert response.status_code == 400
    assert "Enter the full address of the party" in html_of(response)
    assert "Enter the position of the end user" in html_of(response)
    client.post(
        base + "parties/",
        {"role": "end_user", "name": "Policía Demo", "position": "Jefe", "address": "Av. 1", "country": "MX"},
    )
    response = client.post(base + "goods/", {"description": "Rifles", "un_category": "VIII", "quantity": "0"})
    assert "Enter the quantity as a whole number greater than zero" in html_of(response)
    assert "Choose the small arms or light weapons line for category VIII" in html_of(response)
    client.post(
        base + "goods/",
        {
            "description": "Rifles",
            "un_category": "VIII",
            "salw_line": "SA-2",
            "hs_code": "930190",
            "quantity": "50",
            "unit": "unit",
        },
    )
    page = html_of(client.get(base + "check/"))
    assert "The certificate cannot be issued yet" in page
    assert "The end user must undertake not to re-export the goods without consent" in page
    client.post(
        base + "end-use/",
        {"description": "Police patrol", "no_other_use": "on", "no_reexport_without_consent": "on", "no_wmd": "on"},
    )
    page = html_of(client.get(base))
    assert page.count("Completed") == 4
    page = html_of(client.get(base + "check/"))
    assert "The certificate cannot be issued yet" not in page
    assert 'data-testid="four-eyes"' in page  # the drafter is told another issuer must issue
    assert "Continue to issue" not in page


def test_removing_a_party_and_a_line(client, login, drafter, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    login(drafter)
    party = euc.parties.get(role="intermediary")
    line = euc.goods.get(line_no=4)
    assert client.post(f"/euc/{euc.pk}/draft/parties/{party.pk}/remove/").status_code == 302
    assert client.post(f"/euc/{euc.pk}/draft/goods/{line.pk}/remove/").status_code == 302
    assert euc.parties.count() == 3 and euc.goods.count() == 3


def test_draft_pages_in_spanish(client, login, drafter, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    login(drafter)
    spanish(client)
    for suffix in ("", "details/", "parties/", "goods/", "end-use/", "check/"):
        response = client.get(f"/euc/{euc.pk}/draft/{suffix}")
        assert response.status_code == 200, suffix
        no_english(response)
    assert "Revise sus respuestas" in html_of(client.get(f"/euc/{euc.pk}/draft/check/"))


def test_an_error_in_spanish(client, login, drafter):
    euc = services.start_draft(by=drafter)
    login(drafter)
    spanish(client)
    response = client.post(f"/euc/{euc.pk}/draft/goods/", {"description": "Fusiles", "quantity": "muchos"})
    assert "Indique la cantidad como número entero mayor que cero" in html_of(response)
    no_english(response)


# --- issue, revoke, amend ------------------------------------------------------------------------------------


def test_issue_asks_for_confirmation_and_respects_four_eyes(client, login, drafter, issuer, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    login(drafter)
    assert client.post(f"/euc/{euc.pk}/issue/", {"confirm": "on"}).status_code == 403
    login(issuer)
    page = html_of(client.get(f"/euc/{euc.pk}/draft/check/"))
    assert "Continue to issue" in page
    page = html_of(client.get(f"/euc/{euc.pk}/issue/"))
    assert "Issue this end-user certificate?" in page and 'data-testid="consequences"' in page
    response = client.post(f"/euc/{euc.pk}/issue/", {})
    assert response.status_code == 400
    assert "Confirm that you have checked the certificate." in html_of(response)
    response = client.post(f"/euc/{euc.pk}/issue/", {"confirm": "on"})
    assert response.status_code == 302
    euc.refresh_from_db()
    assert euc.status == EucStatus.ISSUED


def test_the_certificate_page_shows_reference_status_and_next_action(client, login, issued, issuer):
    login(issuer)
    page = html_of(client.get(f"/euc/{issued.pk}/"))
    assert issued.serial in page
    assert 'data-status="issued"' in page and ">Issued<" in page
    assert "Waiting for the exporting state to rely on it and record a use." in page
    assert "Download the certificate (PDF)" in page
    assert re.search(r'<img class="attkit-euc-qr" src="data:image/svg\+xml', page)


def test_the_certificate_page_in_spanish(client, login, issued, issuer, de_verifier):
    services.record_use(
        issued, exporting_state="DE", exporter="X", licence_reference="DE-1", quantities={1: 5}, by=de_verifier
    )
    login(issuer)
    spanish(client)
    response = client.get(f"/euc/{issued.pk}/")
    assert "Usado parcialmente" in html_of(response)
    no_english(response)
    for suffix in ("revoke/", "amend/", "delivery/"):
        response = client.get(f"/euc/{issued.pk}/{suffix}")
        assert response.status_code == 200
        no_english(response)


def test_revoke_needs_a_reason(client, login, issued, supervisor):
    login(supervisor)
    response = client.post(f"/euc/{issued.pk}/revoke/", {"reason": ""})
    assert response.status_code == 400
    assert "Enter the reason; the record must show why." in html_of(response)
    response = client.post(f"/euc/{issued.pk}/revoke/", {"reason": "Forgery reported by the embassy"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == EucStatus.REVOKED
    assert "Forgery reported by the embassy" in html_of(client.get(f"/euc/{issued.pk}/"))


def test_amend_starts_a_linked_draft(client, login, issued, drafter):
    login(drafter)
    response = client.post(f"/euc/{issued.pk}/amend/", {"reason": "New warehouse"})
    assert response.status_code == 302
    new = EndUserCertificate.objects.get(supersedes=issued)
    assert response["Location"] == f"/euc/{new.pk}/draft/"
    assert issued.serial in html_of(client.get(response["Location"]))


def test_recording_the_delivery_closes_the_certificate(client, login, issued, issuer):
    login(issuer)
    page = html_of(client.get(f"/euc/{issued.pk}/delivery/"))
    assert 'name="line_1"' in page and 'value="250"' in page
    response = client.post(
        f"/euc/{issued.pk}/delivery/",
        {
            "delivery_date": dt.date.today().isoformat(),
            "checked_by": "Cap. Demo",
            "line_1": "250",
            "line_2": "400",
            "line_3": "100000",
            "line_4": "25",
        },
    )
    assert response.status_code == 302
    page = html_of(client.get(f"/euc/{issued.pk}/"))
    assert 'data-status="closed"' in page and 'data-testid="delivery"' in page
    response = client.get(f"/euc/{issued.pk}/delivery.pdf")
    assert response["Content-Type"] == "application/pdf"


def test_the_pdf_downloads(client, login, issued, issuer):
    login(issuer)
    response = client.get(f"/euc/{issued.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert issued.serial in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


# --- the exporting state's officer ---------------------------------------------------------------------------


def test_an_exporting_state_finds_a_certificate_by_its_seal_and_records_a_use(client, login, issued, de_verifier):
    login(de_verifier)
    # Without the verified seal the certificate is out of reach.
    assert client.get(f"/euc/use/{issued.pk}/").status_code == 404
    response = client.post("/euc/use/", {"serial": issued.serial, "seal": "EUC1:garbage"})
    assert response.status_code == 200
    assert 'data-verdict="malformed"' in html_of(response)
    response = client.post("/euc/use/", {"serial": issued.serial.lower(), "seal": issued.seal_text})
    assert response.status_code == 302
    assert response["Location"] == f"/euc/use/{issued.pk}/"
    page = html_of(client.get(response["Location"]))
    assert 'data-testid="left-1"' in page
    response = client.post(
        f"/euc/use/{issued.pk}/",
        {"exporting_state": "DE", "exporter": "Demo GmbH", "licence_reference": "DE-2026-1", "line_1": "300"},
    )
    assert response.status_code == 400
    assert "only 250 left" in html_of(response)
    response = client.post(
        f"/euc/use/{issued.pk}/",
        {"exporting_state": "DE", "exporter": "Demo GmbH", "licence_reference": "DE-2026-1", "line_1": "100"},
    )
    assert response.status_code == 302
    page = html_of(client.get(response["Location"]))
    assert 'data-testid="use-recorded"' in page
    assert issued.serial in html_of(client.get("/euc/uses/"))


def test_a_swapped_serial_is_refused(client, login, make_issued, de_verifier):
    one, two = make_issued(), make_issued()
    login(de_verifier)
    response = client.post("/euc/use/", {"serial": one.serial, "seal": two.seal_text})
    assert response.status_code == 400
    assert "is not the one in the seal" in html_of(response)


def test_the_use_lookup_by_upload_of_the_pdf(client, login, issued, de_verifier):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from attkit.euc import printing

    pdf = printing.certificate_pdf(issued, sign=False)
    login(de_verifier)
    response = client.post(
        "/euc/use/",
        {"serial": issued.serial, "file": SimpleUploadedFile("c.pdf", pdf, content_type="application/pdf")},
    )
    assert response.status_code == 302


def test_a_second_exporter_is_flagged_on_both_sides(client, login, issued, de_verifier, fr_verifier, issuer):
    services.record_use(
        issued, exporting_state="DE", exporter="Demo GmbH", licence_reference="DE-1", quantities={1: 5}, by=de_verifier
    )
    login(fr_verifier)
    client.post("/euc/use/", {"serial": issued.serial, "seal": issued.seal_text})
    response = client.post(
        f"/euc/use/{issued.pk}/",
        {"exporting_state": "FR", "exporter": "Armes SA", "licence_reference": "FR-1", "line_1": "5"},
    )
    page = html_of(client.get(response["Location"]))
    assert "already used by another exporting state (DE)" in page
    login(issuer)
    page = html_of(client.get(f"/euc/{issued.pk}/"))
    assert page.count('data-testid="flag"') == 2


def test_use_pages_in_spanish(client, login, issued, de_verifier):
    login(de_verifier)
    spanish(client)
    response = client.get("/euc/use/")
    assert "Registrar un uso de un certificado" in html_of(response)
    no_english(response)
    client.post("/euc/use/", {"serial": issued.serial, "seal": issued.seal_text})
    response = client.get(f"/euc/use/{issued.pk}/")
    no_english(response)
    response = client.get("/euc/uses/")
    no_english(response)


# --- tenancy -------------------------------------------------------------------------------------------------

OBJECT_PAGES = (
    "",
    "draft/",
    "draft/details/",
    "draft/parties/",
    "draft/goods/",
    "draft/end-use/",
    "draft/check/",
    "issue/",
    "revoke/",
    "amend/",
    "delivery/",
    "certificate.pdf",
    "delivery.pdf",
)


def test_another_state_gets_404_on_every_certificate_page(client, login, make_user, issued, drafter, request_data):
    draft = services.draft_from_request(by=drafter, request=request_data)
    login(make_user("DE", *list(Role)))
    for euc in (issued, draft):
        for suffix in OBJECT_PAGES:
            url = f"/euc/{euc.pk}/{suffix}"
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"reason": "x", "confirm": "on"}).status_code in (404, 405), url
    assert issued.serial not in html_of(client.get("/euc/"))


def test_a_use_record_of_another_state_is_not_found(client, login, issued, de_verifier, fr_verifier):
    use = services.record_use(
        issued, exporting_state="DE", exporter="X", licence_reference="DE-1", quantities={1: 5}, by=de_verifier
    )
    login(fr_verifier)
    assert client.get(f"/euc/uses/{use.pk}/").status_code == 404


def test_pages_need_the_permissions(client, login, make_user, issued):
    login(make_user("MX", Role.AGENCY_ADVISER))
    assert client.get("/euc/").status_code == 403
    assert client.get(f"/euc/{issued.pk}/").status_code == 403
    assert client.get("/euc/use/").status_code == 403


def test_navigation_lists_the_register_and_the_use_lookup(client, login, issuer, de_verifier):
    login(issuer)
    assert 'href="/euc/"' in html_of(client.get("/"))
    login(de_verifier)
    assert 'href="/euc/use/"' in html_of(client.get("/"))


def test_the_verification_page_shows_the_certificate_and_what_is_left(client, login, issued, de_verifier):
    services.record_use(
        issued, exporting_state="DE", exporter="X", licence_reference="DE-1", quantities={2: 150}, by=de_verifier
    )
    login(de_verifier)
    response = client.post("/verify/", {"way": "paste", "paste-text": issued.seal_text})
    page = html_of(response)
    assert 'data-verdict="valid"' in page
    assert 'data-testid="sealed-goods"' in page
    assert re.search(r'data-testid="left-2">\s*250<', page)
    spanish(client)
    response = client.post("/verify/", {"way": "paste", "paste-text": issued.seal_text})
    assert "Bienes en el sello" in html_of(response)
    no_english(response)
