"""Cross-site scripting: script payloads in every free-text field, rendered on every page and in every PDF.

Two halves. The enumeration: every CharField and TextField of attkit's models is classed in _probes_fields.py
as written by people or generated, so a new field cannot be missed. The rendering: the demo data is loaded,
every written field of every row is overwritten with a payload (a javascript: URL, a closing quote with an
<img onerror>, a <script> block, template syntax), every page of the site is requested with the ids of those
rows, and each page is parsed: a payload must never have become an element or an attribute. Forms and the API
are then used to store payloads the way users do, and the printable documents (EUC, licence, refusal letter,
certificate of completion) are checked in the HTML WeasyPrint receives, in what WeasyPrint fetches, and in the
PDF's text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import Client

from attkit.core import demo
from attkit.core.models import Authority
from attkit.core.permissions import Role
from tests.core.test_tenancy_walk import _candidates, _foreign_ids_by_model
from tests.hardening import _probes_fields as fields
from tests.hardening._probes_common import PARAM, XSS_PAYLOADS, injected_markup, routes

# One payload that tries every context at once: a URL attribute (javascript:), a quoted attribute ("> and '>),
# element content (<script>, <img onerror>), and template syntax; shorter ones where a field is short.
FULL = "javascript:alert('PROBE')//\"'><img src=x onerror=alert('PROBE')><script>alert('PROBE')</script>{{7*7}}"
MEDIUM = "\"'><img src=x onerror=PROBE>"
SHORT = "<i>PROBE"


def payload_for(max_length: int | None) -> str:
    for candidate in (FULL, MEDIUM, SHORT):
        if max_length is None or len(candidate) <= max_length:
            return candidate
    return ""


def test_every_free_text_field_is_classified() -> None:
    found = fields.free_text_fields()
    written, generated = fields.written(), fields.generated()
    assert written & generated == set(), "a field is listed as both written and generated"
    unclassified = found - written - generated
    assert unclassified == set(), (
        "Class these fields in tests/hardening/_probes_fields.py (WRITTEN if a person or an outside file "
        f"can put text in them): {sorted(unclassified)}"
    )
    assert (written | generated) - found == set(), "stale names in _probes_fields.py"


def test_the_html_checker_sees_what_it_should() -> None:
    """The checker itself: raw payloads are found, the same payloads escaped by Django are not."""
    from django.utils.html import escape

    for raw in (*XSS_PAYLOADS, FULL, MEDIUM, SHORT):
        assert injected_markup(f"<p>{escape(raw)}</p><a title='{escape(raw)}'>x</a>") == [], raw
        if not raw.startswith(("{{", "javascript:")):  # text in a <p>; the URL case is checked below
            assert injected_markup(f"<p>{raw}</p>"), raw
    # Escaping does not make a javascript: URL safe in an href: a template putting user text there is found.
    assert injected_markup(f'<a href="{escape(FULL)}">x</a>')


def _poison() -> dict[str, int]:
    """Overwrite every written field of every row with a payload; rows touched by model.

    Where a unique constraint refuses the same text twice, each row gets the payload and its own number."""
    touched = {}
    for label, names in fields.WRITTEN.items():
        model = apps.get_model(label)
        lengths = {name: getattr(model._meta.get_field(name), "max_length", None) for name in names}
        values = {name: payload_for(length) for name, length in lengths.items() if payload_for(length)}
        try:
            with transaction.atomic():
                touched[label] = model._base_manager.update(**values)
        except IntegrityError:
            rows = 0
            for n, pk in enumerate(model._base_manager.values_list("pk", flat=True)):
                numbered = {k: _numbered(v, n, lengths[k]) for k, v in values.items()}
                rows += model._base_manager.filter(pk=pk).update(**numbered)
            touched[label] = rows
    return touched


def _numbered(payload: str, n: int, max_length: int | None) -> str:
    suffix = f"#{n}"
    if max_length is not None and len(payload) + len(suffix) > max_length:
        payload = payload_for(max_length - len(suffix))
    return payload + suffix


def _clients() -> list[tuple[str, Client]]:
    from attkit.accounts.models import User
    from attkit.accounts.services import create_user

    out = []
    for code in ("MX", "XT"):
        authority = Authority.objects.get(code=code)
        official = create_user(username=f"{code.lower()}.xss", authority=authority, roles=list(Role), password="x" * 20)
        c = Client()
        c.force_login(official)
        out.append((f"{code} official", c))
    applicant = User.objects.filter(authority__code="MX", organisation__isnull=False).first()
    if applicant is not None:
        c = Client()
        c.force_login(applicant)
        out.append(("MX applicant", c))
    return out


def _page_urls(authority: Authority, *, every_id: bool) -> list[str]:
    ids = _foreign_ids_by_model(authority)
    urls = []
    for route, _callback in routes():
        if route.startswith(("api/", "admin/")):
            continue
        if PARAM.search(route):
            values = _candidates(route, ids, [])
            for value in values if every_id else values[:1]:
                urls.append("/" + PARAM.sub(value, route))
        else:
            urls.append("/" + route)
    return urls


def _body(response: Any) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", "replace")


@pytest.fixture
def poisoned(db: None) -> dict[str, int]:
    demo.load(quick=True)
    from attkit.core import audit

    # The audit log is append-only: a real event carries the payload in its labels and payload instead.
    mx = Authority.objects.get(code="MX")
    audit.record(None, "probe:xss", mx, {"note": FULL}, authority=mx, actor_label=FULL)
    return _poison()


@pytest.mark.parametrize(
    "exhaustive",
    [
        pytest.param(False, id="one-record-a-route"),
        pytest.param(True, id="every-record-every-user", marks=pytest.mark.slow),
    ],
)
def test_no_payload_becomes_markup_on_any_page(poisoned: dict[str, int], exhaustive: bool) -> None:
    """Fast: MX's official, one record per route parameter. Slow: also the sandbox and an applicant, every id."""
    assert sum(poisoned.values()) > 100, poisoned
    problems: list[str] = []
    shown = 0
    pages = 0
    for who, client in _clients() if exhaustive else _clients()[:1]:
        authority = Authority.objects.get(code=who.split()[0])
        for url in _page_urls(authority, every_id=exhaustive):
            response = client.get(url)
            if response.status_code >= 500:
                problems.append(f"{who}: GET {url} -> {response.status_code}")
                continue
            content_type = response.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith(("text/html", "image/svg")):
                continue
            pages += 1
            body = _body(response)
            if "PROBE" in body:
                shown += 1
            problems += [f"{who}: GET {url}: {found}" for found in injected_markup(body)]
    assert pages > 40
    assert shown > 20, "the payloads should be shown on many pages"
    assert problems == [], "\n".join(problems[:60])


class _WeasyRecorder:
    """Wraps weasyprint.HTML: keeps the HTML each document is printed from and every URL WeasyPrint fetches."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import weasyprint
        from weasyprint.urls import URLFetcher

        self.html: list[str] = []
        self.fetched: list[str] = []
        real = weasyprint.HTML
        fetched = self.fetched

        class Recording(URLFetcher):  # type: ignore[misc]
            def fetch(self, url: str, headers: Any = None) -> Any:
                fetched.append(url)
                return super().fetch(url, headers)

        def recording(*args: Any, **kwargs: Any) -> Any:
            self.html.append(kwargs.get("string") or "")
            kwargs["url_fetcher"] = Recording()
            return real(*args, **kwargs)

        monkeypatch.setattr(weasyprint, "HTML", recording)


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _assert_printed_as_text(name: str, data: bytes, recorder: _WeasyRecorder) -> None:
    assert recorder.html, f"{name}: WeasyPrint was not called"
    html = recorder.html[-1]
    assert "PROBE" in html, f"{name}: the document should print a poisoned field"
    assert injected_markup(html) == [], (name, injected_markup(html))
    # No <img src=x> was fetched, and nothing but the document's own files and data: URIs.
    for url in recorder.fetched:
        assert url.startswith(("data:", "file:")) and not re.search(r"/x$", url), (name, url)
    text = _pdf_text(data)
    assert "PROBE" in text and "onerror" in text, f"{name}: the payload should appear as printed text"
    # No link annotation or script action made from a payload (annotations and actions are not compressed).
    lowered = data.lower()
    assert b"javascript" not in lowered and b"/js " not in lowered and b"/launch" not in lowered, name


def test_pdfs_print_payloads_as_text(poisoned: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from attkit.euc import printing
    from attkit.euc.models import EndUserCertificate
    from attkit.licensing import documents
    from attkit.licensing.models import Case, CaseState
    from attkit.training import certificates
    from attkit.training.models import Certificate

    recorder = _WeasyRecorder(monkeypatch)
    euc = EndUserCertificate.objects.filter(authority__code="MX").exclude(seal_text="").first()
    assert euc is not None
    _assert_printed_as_text("EUC", printing.certificate_pdf(euc, sign=False), recorder)

    licensed = Case.objects.filter(state=CaseState.LICENCE_ISSUED).first()
    assert licensed is not None, "the demo should hold an issued licence"
    document = documents.issue_licence_document(licensed)
    _assert_printed_as_text("licence", document.file.read(), recorder)

    refused = Case.objects.filter(state=CaseState.REFUSED).first()
    assert refused is not None, "the demo should hold a refused case"
    decision = refused.decisions.order_by("-created_at").first()
    assert decision is not None
    document = documents.issue_refusal_letter(refused, decision)
    _assert_printed_as_text("refusal letter", document.file.read(), recorder)

    xt = Authority.objects.get(code="XT")
    from attkit.accounts.models import User

    trainee = User.objects.filter(authority=xt).first()
    certificate = Certificate.objects.create(
        authority=xt,
        number="XT-CRT-PROBE-1",
        trainee=trainee,
        trainee_name=FULL,
        cohort_name=FULL,
        modules=["M1"],
        issued_on=dt.date(2026, 11, 1),
        seal_text="CRT1:PROBE",
    )
    _assert_printed_as_text("certificate of completion", certificates.render_pdf(certificate), recorder)


def test_payloads_typed_through_the_api_and_services_show_as_text(
    make_user: Any, make_authority: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The way users store text: an application through the API, then reasons, advice and a decision through the
    services; the case pages of the applicant and the officials, and the licence PDF, show it as text."""
    from attkit.licensing import services
    from tests.licensing import world as w

    settings.KEY_ENCRYPTION_KEY = "test-key-encryption-key-for-licensing-tests-0123456789"
    world = w.build(make_user, make_authority)
    data = w.export_application(world, end_use=FULL)
    data["parties"][0].update(name=FULL, address=FULL)
    data["goods"][0].update(description=FULL, national_code=MEDIUM)
    applicant = Client()
    applicant.force_login(world["de.applicant"])
    created = applicant.post("/api/v1/licensing/cases", data, content_type="application/json")
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    submitted = applicant.post(f"/api/v1/licensing/cases/{case_id}/submit")
    assert submitted.status_code == 200, submitted.content

    for hit in services.get_case(case_id, by=world["de.officer"]).hits.filter(status="pending"):
        services.review_hit(hit.pk, by=world["de.supervisor"], decision="false_positive", reason=FULL)
    case = services.get_case(case_id, by=world["de.officer"])
    for flag in case.flags.filter(severity="blocking", status="open"):
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="false_positive", reason=FULL)
    services.screening_clear(case_id, by=world["de.officer"])
    for adviser in ("de.defence", "de.foreign"):
        services.give_advice(case_id, by=world[adviser], outcome="approve", reasons=FULL, conditions=FULL)
    w.assessed(world, case)
    services.propose_decision(case_id, by=world["de.officer"], outcome="approve", reasons=FULL, conditions=FULL)
    services.countersign(case_id, by=world["de.supervisor"], agree=True, reason=FULL)
    recorder = _WeasyRecorder(monkeypatch)
    services.issue_licence(case_id, by=world["de.officer"])
    licence = case.documents.filter(kind="licence").first()
    assert licence is not None
    _assert_printed_as_text("licence", licence.file.read(), recorder)

    officer = Client()
    officer.force_login(world["de.supervisor"])
    pages = {
        applicant: [f"/cases/{case_id}/", "/cases/mine/"],
        officer: [f"/cases/{case_id}/", "/cases/", "/audit/"],
    }
    shown = 0
    for client, urls in pages.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = _body(response)
            shown += "onerror=alert(&#x27;PROBE&#x27;)" in body or "onerror=alert(&#39;PROBE&#39;)" in body
            assert injected_markup(body) == [], (url, injected_markup(body))
    assert shown >= 2  # the case page of the applicant and of the official


def test_payloads_in_an_imported_csv_show_as_text(make_user: Any) -> None:
    """A records import echoes the file back: its name, its column headers, the values a row error quotes."""
    import csv
    import io

    from attkit.reporting.models import TransferRecord

    admin = make_user("MX", *list(Role), username="mx.xss.import")
    client = Client()
    client.force_login(admin)
    columns = [
        "direction",
        "basis",
        "year",
        "category",
        "quantity",
        "importing_state",
        "description",
        "end_user",
        "comments",
    ]
    good = ["export", "actual", "2019", "VIII.SA.1", "5", "GT", FULL, MEDIUM, FULL]
    bad = ["export", "actual", "2019", MEDIUM, "5", "GT", "x", "y", "z"]
    mapping = {f"col_{i}": name for i, name in enumerate(columns)}

    def upload(rows: list[list[str]], header: list[str]) -> str:
        text = io.StringIO()
        csv.writer(text).writerows([header, *rows])
        file = io.BytesIO(text.getvalue().encode())
        file.name = "<img src=x onerror=alert('PROBE')>.csv"
        response = client.post("/reports/records/import/", {"file": file, "encoding": "utf-8"})
        assert response.status_code == 302, response.status_code
        return str(response["Location"])

    checked = []
    map_url = upload([good, bad], [*columns[:-1], MEDIUM])  # a hostile column header as well
    for response in (
        client.get(map_url),
        client.post(map_url, {**mapping, "action": "dry_run"}),
    ):
        body = _body(response)
        assert response.status_code == 200
        assert injected_markup(body) == [], injected_markup(body)
        checked.append("PROBE" in body)
    assert all(checked), "the mapping page and the dry run should echo the payloads"

    map_url = upload([good], columns)
    imported = client.post(map_url, {**mapping, "action": "import"})
    assert imported.status_code == 302, re.findall(r"<td[^>]*>([^<]{0,200})</td>", _body(imported))[:12]
    record = TransferRecord.objects.get(description=FULL)
    for url in ("/reports/records/", f"/reports/records/{record.pk}/"):
        body = _body(client.get(url))
        assert "PROBE" in body, url
        assert injected_markup(body) == [], (url, injected_markup(body))
