"""Pages and API of records and reports: in English and Spanish, and closed to other states."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client

from attkit.core.permissions import Role
from attkit.reporting import services
from attkit.reporting.models import ReportSubmission, TransferRecord
from tests.core.test_i18n import english_words

pytestmark = pytest.mark.django_db

GOOD = (
    "direction,basis,year,category,quantity,importing_state\n"
    "export,actual,2019,VIII.SA.4,10,GT\n"
    "export,actual,2019,I,2,HN\n"
)


@pytest.fixture
def es_client(mx_admin) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(mx_admin)
    return client


def test_records_list_and_detail_in_english(client, login, mx_admin, record):
    r = record()
    login(mx_admin)
    page = client.get("/reports/records/")
    assert page.status_code == 200
    assert r.reference in page.content.decode()
    detail = client.get(f"/reports/records/{r.pk}/").content.decode()
    assert "Every version of this record, oldest first" in detail
    assert "Guatemala (GT)" in detail


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/records/",
        "/reports/records/new/",
        "/reports/records/import/",
        "/reports/retention/",
        "/reports/report/att/",
        "/reports/report/unroca/",
        "/reports/report/att/?year=2024&basis=authorised",
        "/reports/report/unroca/?year=2024&basis=actual",
        "/reports/report/att/?year=2021&basis=actual",
        "/reports/definitions/",
        "/reports/submissions/",
        "/reports/customs/",
        "/reports/customs/import/",
        "RECORD",
        "CORRECT",
        "DELETE",
    ],
)
def test_pages_in_spanish_show_no_english(es_client, record, url):
    r = record(date=dt.date(2024, 5, 1))
    url = {
        "RECORD": f"/reports/records/{r.pk}/",
        "CORRECT": f"/reports/records/{r.pk}/correct/",
        "DELETE": f"/reports/records/{r.pk}/delete/",
    }.get(url, url)
    response = es_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="es"' in html
    assert not english_words(html), english_words(html)


def test_spanish_labels(es_client, record):
    record()
    html = es_client.get("/reports/records/").content.decode()
    assert "Registros de transferencias" in html and "Exportación" in html


def test_another_state_sees_nothing(client, login, make_user, record):
    r = record()
    de_user = make_user("DE", *Role)
    login(de_user)
    for url in (f"/reports/records/{r.pk}/", f"/reports/records/{r.pk}/correct/", f"/reports/records/{r.pk}/delete/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x"}).status_code in (404, 405)
    assert r.reference not in client.get("/reports/records/").content.decode()
    assert r.reference not in client.get("/reports/records/?history=on").content.decode()
    assert r.reference not in client.get("/reports/records/export/csv/").content.decode()
    assert client.get(f"/api/v1/reporting/records/{r.pk}").status_code == 404
    assert client.get(f"/api/v1/reporting/records/{r.pk}/history").status_code == 404
    assert (
        client.post(
            f"/api/v1/reporting/records/{r.pk}/supersede",
            {"reason": "x", "changes": {}},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/reporting/records/{r.pk}/delete", {}, content_type="application/json").status_code == 404
    )
    assert client.get("/api/v1/reporting/records").json() == []
    report = client.get("/api/v1/reporting/reports/att?year=2024&basis=authorised").json()
    assert report["reporting_state"] == "DE" and report["nil_report"] is True
    assert TransferRecord.objects.filter(pk=r.pk, is_current=True).exists()


def test_new_record_correction_and_refused_deletion(client, login, mx_admin):
    login(mx_admin)
    response = client.post(
        "/reports/records/new/",
        {
            "direction": "export",
            "basis": "actual",
            "date": "2024-05-01",
            "category": "VIII.SA.1",
            "quantity": "12",
            "value": "",
            "currency": "",
            "importing_state": "GT",
            "transit_states": "PA, co",
            "end_user_type": "",
        },
    )
    assert response.status_code == 302
    r = TransferRecord.objects.get()
    assert r.transit_states == ["PA", "CO"] and r.year == 2024
    bad = client.post(
        "/reports/records/new/",
        {"direction": "export", "basis": "actual", "year": "2024", "category": "I", "quantity": "", "value": ""},
    )
    assert bad.status_code == 200
    assert "Give the number of items, the value, or both." in bad.content.decode()
    form = client.get(f"/reports/records/{r.pk}/correct/").content.decode()
    assert 'value="12"' in form
    data = {
        "direction": "export",
        "basis": "actual",
        "date": "2024-05-01",
        "category": "VIII.SA.1",
        "quantity": "11",
        "importing_state": "GT",
        "transit_states": "PA, CO",
        "reason": "miscounted",
    }
    assert client.post(f"/reports/records/{r.pk}/correct/", data).status_code == 302
    assert TransferRecord.objects.get(is_current=True).quantity == 11
    new = TransferRecord.objects.get(is_current=True)
    page = client.get(f"/reports/records/{new.pk}/delete/").content.decode()
    assert "cannot be deleted" in page
    assert client.post(f"/reports/records/{new.pk}/delete/", {"reason": "x"}).status_code == 200
    assert TransferRecord.objects.count() == 2


def test_officer_reads_but_does_not_write(client, login, mx_officer, record):
    r = record()
    login(mx_officer)
    assert client.get("/reports/records/").status_code == 200
    assert client.get("/reports/records/new/").status_code == 403
    assert client.get(f"/reports/records/{r.pk}/correct/").status_code == 403
    assert client.get("/reports/records/import/").status_code == 403


def test_import_pages_dry_run_then_import(client, login, mx_admin):
    login(mx_admin)
    bad = GOOD + "export,actual,2019,IX,1,GT\n"
    upload = client.post("/reports/records/import/", {"file": io.BytesIO(bad.encode()), "encoding": "utf-8"})
    assert upload.status_code == 302
    map_url = upload["Location"]
    page = client.get(map_url).content.decode()
    assert "Column mapping" in page and 'value="direction" selected' in page
    mapping = {
        f"col_{i}": name
        for i, name in enumerate(["direction", "basis", "year", "category", "quantity", "importing_state"])
    }
    dry = client.post(map_url, {**mapping, "action": "dry_run"}).content.decode()
    assert "nothing was written" in dry and '<th scope="row">4</th>' in dry
    assert not TransferRecord.objects.exists()
    # the commit refuses the same file too
    assert "nothing was written" in client.post(map_url, {**mapping, "action": "import"}).content.decode()
    assert not TransferRecord.objects.exists()
    upload = client.post("/reports/records/import/", {"file": io.BytesIO(GOOD.encode()), "encoding": "utf-8"})
    map_url = upload["Location"]
    ok = client.post(map_url, {**mapping, "action": "dry_run"}).content.decode()
    assert "2 rows are ready to import" in ok and not TransferRecord.objects.exists()
    done = client.post(map_url, {**mapping, "action": "import"})
    assert done.status_code == 302 and TransferRecord.objects.count() == 2
    assert client.get(map_url).status_code == 404  # the upload is gone once imported


def test_import_page_reports_an_encoding_error(client, login, mx_admin):
    login(mx_admin)
    latin = "direction,comments\nexport,envío\n".encode("latin-1")
    upload = client.post("/reports/records/import/", {"file": io.BytesIO(latin), "encoding": "utf-8"})
    page = client.get(upload["Location"], follow=True).content.decode()
    assert "not UTF-8" in page


def test_report_preview_and_downloads(client, login, mx_admin, record):
    record(date=dt.date(2024, 5, 1))
    login(mx_admin)
    page = client.get("/reports/report/att/?year=2024&basis=authorised").content.decode()
    assert 'data-testid="report-preview"' in page and "Guatemala (GT)" in page
    xlsx = client.get("/reports/report/att/download/?year=2024&basis=authorised&format=xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert "Exports" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    assert client.get("/reports/report/unroca/download/?year=2024&basis=authorised&format=csv").status_code == 200
    assert client.get("/reports/report/att/download/").status_code == 400
    assert client.get("/reports/report/att/download/?year=2024&basis=authorised&format=pdf").status_code == 400
    assert client.get("/reports/report/xyz/").status_code == 404
    nil = client.get("/reports/report/att/?year=2021&basis=authorised").content.decode()
    assert 'data-testid="nil-report"' in nil


def test_api_records_and_report(client, login, mx_admin):
    login(mx_admin)
    created = client.post(
        "/api/v1/reporting/records",
        {
            "direction": "import",
            "basis": "actual",
            "category": "VIII.SA.1",
            "date": "2024-06-01",
            "quantity": 5,
            "exporting_state": "US",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["partner_state"] == "US"
    bad = client.post(
        "/api/v1/reporting/records",
        {"direction": "import", "basis": "actual", "category": "IX", "year": 2024, "quantity": 5},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "category" in bad.json()["detail"]
    fixed = client.post(
        f"/api/v1/reporting/records/{rid}/supersede",
        {"reason": "five was four", "changes": {"quantity": 4}},
        content_type="application/json",
    )
    assert fixed.status_code == 201 and fixed.json()["supersedes_id"] == rid
    assert len(client.get(f"/api/v1/reporting/records/{rid}/history").json()) == 2
    assert (
        client.post(
            f"/api/v1/reporting/records/{fixed.json()['id']}/delete", {}, content_type="application/json"
        ).status_code
        == 422
    )
    report = client.get("/api/v1/reporting/reports/att?year=2024&basis=actual&format=json").json()
    assert report["panels"][1]["lines"][0]["quantity"] == 4
    upload = client.post("/api/v1/reporting/records/import?dry_run=true", {"file": io.BytesIO(b"direction\nexport\n")})
    assert upload.status_code == 422 and upload.json()["problems"]
    assert client.get("/api/v1/reporting/reports/nope?year=2024").status_code == 404
    assert client.get("/api/v1/reporting/retention").json()[0]["year"] == 2024


def test_chart_svg_is_served_without_inline_styles(client, login, mx_admin, record):
    record(date=dt.date(2024, 5, 1))
    login(mx_admin)
    svg = client.get("/reports/charts/by-category.svg?year=2024&basis=authorised")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"style=" not in svg.content
    assert client.get("/reports/charts/nothing.svg").status_code == 404
    index = client.get("/reports/?year=2024&basis=authorised").content.decode()
    assert 'src="/reports/charts/by-category.svg?year=2024&amp;basis=authorised"' in index
    assert "Figures of the chart" in index
    assert "style=" not in index


def test_reminder_before_and_after_31_may(mx, mx_admin):
    assert services.reminder_for(mx, dt.date(2026, 3, 1)) is None
    soon = services.reminder_for(mx, dt.date(2026, 4, 15))
    assert soon is not None and soon.year == 2025 and soon.days_left == 46 and not soon.late
    grace = services.reminder_for(mx, dt.date(2026, 6, 3))
    assert grace is not None and grace.in_grace and not grace.late
    late = services.reminder_for(mx, dt.date(2026, 6, 10))
    assert late is not None and late.late
    services.mark_submitted(
        by=mx_admin, authority=mx, kind="att", year=2025, basis="authorised", submitted_on=dt.date(2026, 5, 30)
    )
    assert services.reminder_for(mx, dt.date(2026, 6, 10)) is None


def test_dashboard_reminds_and_submission_stops_it(client, login, mx_admin, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 5, 20))
    login(mx_admin)
    assert 'data-testid="report-reminder"' in client.get("/reports/").content.decode()
    response = client.post(
        "/reports/submissions/",
        {"kind": "att", "year": "2025", "basis": "authorised", "submitted_on": "2026-05-19", "note": "by e-mail"},
    )
    assert response.status_code == 302
    assert ReportSubmission.objects.get().year == 2025
    assert 'data-testid="report-reminder"' not in client.get("/reports/").content.decode()
    again = client.post(
        "/reports/submissions/", {"kind": "att", "year": "2025", "basis": "authorised", "submitted_on": "2026-05-19"}
    )
    assert "already marked submitted" in again.content.decode()


def test_definitions_page(client, login, mx_admin, mx_officer):
    login(mx_admin)
    assert client.post("/reports/definitions/", {"text": "Category I: as the UN Register."}).status_code == 302
    login(mx_officer)
    page = client.get("/reports/definitions/").content.decode()
    assert "Category I: as the UN Register." in page and "<textarea" not in page
    assert client.post("/reports/definitions/", {"text": "x"}).status_code == 403


def test_customs_pages(client, login, make_user, record):
    record(
        direction="import",
        basis="authorised",
        exporting_state="US",
        importing_state="",
        quantity=10,
        hs_code="9302",
        licence_reference="MX-IMP-1",
    )
    customs = make_user("MX", Role.CUSTOMS_OFFICER)
    login(customs)
    text = "number,date,hs_code,quantity,licence_reference,direction\nC-1,2024-04-01,9302,12,MX-IMP-1,import\n"
    upload = client.post("/reports/customs/import/", {"file": io.BytesIO(text.encode()), "encoding": "utf-8"})
    map_url = upload["Location"]
    form = {
        f"col_{i}": name
        for i, name in enumerate(["number", "date", "hs_code", "quantity", "licence_reference", "direction"])
    }
    assert client.post(map_url, {**form, "action": "import"}).status_code == 302
    page = client.get("/reports/customs/").content.decode()
    assert "C-1" in page and "Above the licence" in page


def test_home_page_shows_the_reminder_to_report_preparers_only(client, login, make_user, mx_admin, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 5, 20))
    login(mx_admin)
    home = client.get("/").content.decode()
    assert 'data-testid="report-reminder"' in home and "ATT annual report for 2025" in home
    services.mark_submitted(
        by=mx_admin,
        authority=mx_admin.authority,
        kind="att",
        year=2025,
        basis="authorised",
        submitted_on=dt.date(2026, 5, 19),
    )
    assert 'data-testid="report-reminder"' not in client.get("/").content.decode()
    client.logout()
    login(make_user("MX", Role.APPLICANT))
    assert 'data-testid="report-reminder"' not in client.get("/").content.decode()
