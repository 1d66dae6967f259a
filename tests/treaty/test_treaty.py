"""Treaty status: the bundled table loads with blanks kept unknown, imports are all or nothing, edits are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from attkit.cli import main
from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.treaty import services
from attkit.treaty.models import AnnualReport, StateStatus
from tests.core.test_i18n import english_words

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cli_keeps_connection")]


@pytest.fixture
def loaded() -> None:
    outcome = services.load_bundled()
    assert outcome.ok, outcome.problems


def test_the_bundled_table_loads_with_its_sources(loaded):
    assert StateStatus.objects.count() == 92
    assert StateStatus.objects.filter(region="LAC").count() == 33
    mx = StateStatus.objects.get(iso2="MX")
    assert (mx.signed, mx.consented, mx.consent_kind, mx.entry_into_force) == (
        dt.date(2013, 6, 3),
        dt.date(2013, 9, 25),
        "ratification",
        dt.date(2014, 12, 24),
    )
    assert "XINHUA-ES-2013-09-25" in mx.source
    assert AuditEvent.objects.filter(kind="treaty:import").count() == 1


def test_blanks_stay_unknown(loaded):
    ni = StateStatus.objects.get(iso2="NI")  # no public source either way
    assert (ni.signed, ni.consented, ni.consent_kind, ni.entry_into_force) == (None, None, "", None)
    tt = StateStatus.objects.get(iso2="TT")  # deposit date not stated: not derived
    assert tt.consented is None and tt.consent_kind == "ratification"
    assert services.state_detail("NI")[1] == []


def test_a_bad_row_writes_nothing():
    data = (
        b"state,iso2,region,signed,ratified_or_acceded,kind,entry_into_force,source,as_of\n"
        b"Mexico,MX,LAC,2013-06-03,2013-09-25,ratification,2014-12-24,UN,2025\n"
        b"Atlantis,XX,LAC,2013-06-03,,,,,\n"
        b"Peru,PE,LAC,24/09/2013,,,,,\n"
    )
    outcome = services.import_csv(data, by=None)
    assert not outcome.ok
    assert [(row, col) for row, col, _m in outcome.problems] == [(3, "iso2"), (4, "signed")]
    assert not StateStatus.objects.exists()


def test_annual_reports_csv_and_the_due_late_view(loaded):
    data = b"iso2,year,submitted_on,source\nCR,2024,2025-05-28,ATT Secretariat reporting page\n"
    outcome = services.import_csv(data, by=None)
    assert outcome.ok and outcome.kind == "reports"
    cr = StateStatus.objects.get(iso2="CR")
    assert AnnualReport.objects.get(state=cr, year=2024).submitted_on == dt.date(2025, 5, 28)
    cr.reports_tracked_from = 2023
    cr.save()
    rows = {r.state.iso2: r for r in services.regional_view("LAC", today=dt.date(2025, 6, 20))}
    assert rows["CR"].summary.late == 1  # 2023 due 31 May 2024, no submission recorded
    assert rows["CR"].summary.attention == "late"
    assert rows["AG"].summary.attention == "unknown"  # nothing tracked: never called late
    assert rows["NI"].summary.attention == "none"
    first = services.regional_view("LAC", today=dt.date(2025, 6, 20))[0]
    assert first.state.iso2 == "CR"  # late first
    unknown_state = services.import_csv(b"iso2,year,submitted_on,source\nZW,2024,,x\n", by=None)
    assert not unknown_state.ok


def test_rows_edited_in_the_admin_are_left_alone(loaded, make_user):
    admin = make_user("MX", Role.ADMINISTRATOR)
    mx = StateStatus.objects.get(iso2="MX")
    mx.initial_report = dt.date(2015, 12, 20)
    mx.initial_report_source = "ATT Secretariat"
    mx.source = "checked by hand"
    services.record_change(admin, mx, created=False, changed=["initial_report", "source"])
    assert AuditEvent.objects.filter(kind="treaty:change").count() == 1
    outcome = services.load_bundled()
    assert "MX" in outcome.skipped
    assert StateStatus.objects.get(iso2="MX").source == "checked by hand"
    services.import_csv(services.DATA_FILE.read_bytes(), by=None, force=True)
    mx = StateStatus.objects.get(iso2="MX")
    assert "XINHUA" in mx.source and not mx.edited_in_admin
    assert mx.initial_report == dt.date(2015, 12, 20)  # the file has no such column: left as it was


def test_only_treaty_managers_import(make_user):
    with pytest.raises(PermissionDenied):
        services.import_csv(services.DATA_FILE.read_bytes(), by=make_user("MX", Role.LICENSING_OFFICER))


def test_the_admin_edits_and_audits(loaded, make_user):
    admin = make_user("MX", Role.ADMINISTRATOR)
    admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)
    st = StateStatus.objects.get(iso2="HT")
    page = client.get(f"/admin/treaty/statestatus/{st.pk}/change/")
    assert page.status_code == 200
    form = {
        "iso2": "HT",
        "name_en": "Haiti",
        "region": "LAC",
        "signed": "2014-03-21",
        "consented": "",
        "consent_kind": "",
        "entry_into_force": "",
        "source": st.source,
        "as_of": st.as_of,
        "initial_report": "",
        "initial_report_source": "",
        "reports_tracked_from": "2020",
        "notes": "checked",
        "edited_in_admin": "on",
        "annual_reports-TOTAL_FORMS": "1",
        "annual_reports-INITIAL_FORMS": "0",
        "annual_reports-MIN_NUM_FORMS": "0",
        "annual_reports-MAX_NUM_FORMS": "1000",
        "annual_reports-0-year": "2021",
        "annual_reports-0-submitted_on": "2022-05-30",
        "annual_reports-0-source": "ATT Secretariat",
        "annual_reports-0-state": str(st.pk),
    }
    response = client.post(f"/admin/treaty/statestatus/{st.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    st.refresh_from_db()
    assert st.reports_tracked_from == 2020 and st.edited_in_admin
    assert AnnualReport.objects.get(state=st).year == 2021
    assert AuditEvent.objects.filter(kind="treaty:change").count() == 2
    officer = make_user("MX", Role.LICENSING_OFFICER)
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    assert client.get(f"/admin/treaty/statestatus/{st.pk}/change/").status_code == 403


def test_pages_in_english_and_spanish(loaded, make_user):
    user = make_user("MX", Role.LICENSING_OFFICER)
    en = Client()
    en.force_login(user)
    html = en.get("/treaty/").content.decode()
    assert "Treaty status" in html and "Trinidad and Tobago" in html
    assert "unknown" in html
    es = Client(HTTP_ACCEPT_LANGUAGE="es")
    es.force_login(user)
    for url in ("/treaty/", "/treaty/?region=all", "/treaty/?region=other", "/treaty/states/MX/", "/treaty/states/NI/"):
        response = es.get(url)
        assert response.status_code == 200
        assert not english_words(response.content.decode()), (url, english_words(response.content.decode()))
    html = es.get("/treaty/").content.decode()
    assert "Estado del Tratado" in html and "desconocido" in html and "Trinidad y Tobago" in html
    assert es.get("/treaty/states/ZZ/").status_code == 404


def test_api(loaded, make_user):
    client = Client()
    client.force_login(make_user("DE", Role.LICENSING_OFFICER))
    states = client.get("/api/v1/treaty/states?region=LAC").json()
    assert len(states) == 33
    mx = client.get("/api/v1/treaty/states/MX").json()
    assert mx["entry_into_force"] == "2014-12-24" and mx["obligations"][0]["kind"] == "initial"
    assert client.get("/api/v1/treaty/states/ZZ").status_code == 404


def test_cli(capsys):
    main(["treaty", "import", str(services.DATA_FILE), "--dry-run"])
    assert "dry run: the states table is valid" in capsys.readouterr().out
    assert not StateStatus.objects.exists()
    main(["treaty", "import", str(services.DATA_FILE)])
    assert "states: 92 created, 0 updated" in capsys.readouterr().out
    main(["treaty", "status", "--region", "LAC"])
    out = capsys.readouterr().out
    assert "MX  Mexico" in out and "NI  Nicaragua" in out
