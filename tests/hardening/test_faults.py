"""Faults, as tests (issue 8): the database connection lost in the middle of a use case leaves nothing
half-written, the audit chain still verifies, and the same operation retried afterwards succeeds.

Each test drops the connection at a point inside a real service (after the serial is allocated, after the
first writes, inside the audit record, just before the commit), then compares every table and every stored
file with how they were before. On PostgreSQL the drop is real (the server ends the session, or the client's
socket is cut); on SQLite the database raises OperationalError at the same point instead. A worker process
killed while it holds a use case's locks leaves none behind (PostgreSQL only). One kill point of each
operation runs in `make test`; the other points, the cut socket and the longer journeys in `make test-slow`.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.utils import translation

from attkit.core import audit
from attkit.core.permissions import Role
from tests.hardening import _faults_inject as faults

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
EUC_REQUEST = ROOT / "examples" / "euc-request.json"


@pytest.fixture(autouse=True)
def _isolated(settings: Any) -> Iterator[None]:
    # Signing keys encrypted in the database (as production requires), so that every key a use case
    # creates is a row that the transaction rolls back, never a file left behind.
    settings.KEY_ENCRYPTION_KEY = "test-key-encryption-key-for-fault-tests-0123456789"
    translation.activate("en")
    yield
    translation.deactivate()
    faults.reconnect()


@pytest.fixture(params=[faults.TERMINATE, pytest.param(faults.CUT, marks=pytest.mark.slow)])
def how(request: pytest.FixtureRequest) -> str:
    """How the connection is lost: the server ends the session, or the network cuts it (PostgreSQL only)."""
    if request.param != faults.TERMINATE and connection.vendor != "postgresql":
        pytest.skip("a cut socket exists only on PostgreSQL (SQLite has no connection to lose)")
    return str(request.param)


class Unchanged:
    """Everything in the database and the file store, taken before a fault, to compare with after it."""

    def __init__(self) -> None:
        self.tables = faults.database_state()
        self.files = faults.files_state()

    def check(self) -> None:
        faults.reconnect()
        assert faults.changed_tables(self.tables, faults.database_state()) == {}
        assert faults.files_state() == self.files


def points(table: dict[str, Any], fast: str) -> list[Any]:
    """The kill points of an operation: one runs in `make test`, the others in `make test-slow`."""
    return [pytest.param(name, marks=() if name == fast else pytest.mark.slow, id=name) for name in table]


def chain_ok() -> None:
    report = audit.verify_chains()
    assert report.ok, report.breaks


def fails_with_lost_connection(call: Callable[[], Any]) -> DatabaseError:
    with pytest.raises(DatabaseError) as info:
        call()
    return info.value


# --- end-user certificates ----------------------------------------------------------------------------------


@pytest.fixture
def euc_draft(make_user: Callable[..., Any]) -> tuple[Any, Any]:
    """A complete MX draft and an issuer who did not draft it; a first certificate is issued already."""
    from attkit.euc import services

    drafter = make_user("MX", Role.EUC_ISSUER, username="mx.drafter")
    issuer = make_user("MX", Role.EUC_ISSUER, username="mx.issuer")
    request = json.loads(EUC_REQUEST.read_text(encoding="utf-8"))
    first = services.draft_from_request(by=drafter, request=copy.deepcopy(request))
    services.issue(first.pk, by=issuer)  # the authority's keys exist and serial 1 is taken
    draft = services.draft_from_request(by=drafter, request=copy.deepcopy(request))
    return draft, issuer


EUC_ISSUE_POINTS = {
    "after the serial is allocated": ("euc.allocate_serial", False),
    "inside the audit record": ("audit.record", False),
    "after the audit record, before the commit": ("audit.record", True),
}


@pytest.mark.parametrize("point", points(EUC_ISSUE_POINTS, fast="inside the audit record"))
def test_euc_issue_loses_its_connection(euc_draft, how, point):
    from attkit.euc import serials, services
    from attkit.euc.models import EndUserCertificate, EucStatus

    draft, issuer = euc_draft
    before = Unchanged()
    where, after = EUC_ISSUE_POINTS[point]
    target, name = (services, "allocate_serial") if where == "euc.allocate_serial" else (audit, "record")
    when = None if target is services else faults.audit_kind("euc:issue")
    with faults.drop_at(target, name, how=how, after=after, when=when) as fault:
        fails_with_lost_connection(lambda: services.issue(draft.pk, by=issuer))
    assert fault.fired == 1
    before.check()  # no serial consumed, no seal, no status change, no audit event
    chain_ok()
    issued = services.issue(draft.pk, by=issuer)
    assert issued.status == EucStatus.ISSUED
    parsed = serials.parse_serial(issued.serial or "")
    assert parsed is not None and parsed.number == 2  # the number the failed attempt took is reused: no gap
    assert EndUserCertificate.objects.filter(serial=issued.serial).count() == 1
    chain_ok()


@pytest.mark.slow
def test_recording_a_delivery_loses_its_connection_after_the_dvc_serial(euc_draft, make_user, how):
    import datetime as dt

    from attkit.euc import serials, services
    from attkit.euc.models import EucStatus

    draft, issuer = euc_draft
    euc = services.issue(draft.pk, by=issuer)
    verifier = make_user("DE", Role.EUC_VERIFIER, username="de.verifier")
    services.record_use(
        euc, exporting_state="DE", exporter="X", licence_reference="DE-8", quantities={1: 250}, by=verifier
    )
    deliver = lambda: services.record_delivery(  # noqa: E731
        euc.pk, by=issuer, delivery_date=dt.date.today(), checked_by="Cap. Ejemplo", quantities={1: 250}
    )
    before = Unchanged()
    with faults.drop_at(services, "allocate_serial", how=how, after=True) as fault:
        fails_with_lost_connection(deliver)
    assert fault.fired == 1
    before.check()  # no DVC serial consumed, no DVC, the certificate not closed
    chain_ok()
    dvc = deliver()
    parsed = serials.parse_serial(dvc.serial)
    assert parsed is not None and (parsed.kind, parsed.number) == ("DVC", 1)
    euc.refresh_from_db()
    assert euc.status == EucStatus.CLOSED
    chain_ok()


def test_the_issue_page_says_the_database_failed_and_the_retry_issues(euc_draft, client, login):
    from attkit.euc.models import EucStatus

    draft, issuer = euc_draft
    login(issuer)
    before = Unchanged()
    with faults.drop_at(audit, "record", when=faults.audit_kind("euc:issue")):
        response = client.post(f"/euc/{draft.pk}/issue/", {"confirm": "on"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "The database could not complete this action, so it was not saved." in page
    assert "Traceback" not in page and "OperationalError" not in page
    before.check()
    chain_ok()
    response = client.post(f"/euc/{draft.pk}/issue/", {"confirm": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EucStatus.ISSUED and draft.serial


@pytest.mark.slow
def test_the_api_answers_503_when_the_database_fails_and_the_retry_issues(euc_draft, client, login):
    draft, issuer = euc_draft
    login(issuer)
    before = Unchanged()
    with faults.drop_at(audit, "record", when=faults.audit_kind("euc:issue")):
        response = client.post(f"/api/v1/euc/certificates/{draft.pk}/issue")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The database could not complete this action, so it was not saved. Try again in a moment."
    }
    before.check()
    chain_ok()
    response = client.post(f"/api/v1/euc/certificates/{draft.pk}/issue")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "issued"


def test_a_screening_failure_after_the_commit_does_not_report_an_issued_certificate_as_failed(euc_draft, caplog):
    """The parties are screened once the issue has committed: losing the connection then must not make the
    caller believe the issue failed (a retry would be refused as 'already issued')."""
    from attkit.euc import services
    from attkit.euc.models import EucStatus
    from attkit.screening import services as screening

    draft, issuer = euc_draft
    with faults.drop_at(screening, "screen_subject") as fault:
        issued = services.issue(draft.pk, by=issuer)
    assert fault.fired == 1
    assert issued.status == EucStatus.ISSUED
    faults.reconnect()
    draft.refresh_from_db()
    assert draft.status == EucStatus.ISSUED and draft.serial == issued.serial
    assert "screening" in caplog.text.lower()
    chain_ok()


# --- licensing: the decision, the countersignature, the shipment -------------------------------------------


@pytest.fixture
def world(make_user: Callable[..., Any], make_authority: Callable[..., Any]) -> Any:
    from tests.licensing import world as w

    return w.build(make_user, make_authority)


def test_proposing_a_decision_loses_its_connection(world, how):
    from attkit.licensing import services
    from attkit.licensing.models import CaseState
    from tests.licensing import world as w

    case = w.under_assessment(world)
    w.advised(world, case)
    w.assessed(world, case)
    before = Unchanged()
    propose = lambda: services.propose_decision(  # noqa: E731
        case.pk, by=world["de.officer"], outcome="approve", criteria=[], reasons="No concern."
    )
    with faults.drop_at(audit, "record", how=how, when=faults.audit_kind("licence:decide")) as fault:
        fails_with_lost_connection(propose)
    assert fault.fired == 1
    before.check()  # no decision row, the case still under assessment, no audit event
    chain_ok()
    decision = propose()
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_COUNTERSIGNATURE and decision.status == "pending"
    chain_ok()


@pytest.mark.slow
def test_countersigning_an_approval_loses_its_connection(world, how):
    from attkit.licensing import services
    from attkit.licensing.models import CaseState
    from tests.licensing import world as w

    case = w.proposed(world)
    before = Unchanged()
    sign = lambda: services.countersign(case.pk, by=world["de.supervisor"], agree=True)  # noqa: E731
    with faults.drop_at(audit, "record", how=how, after=True, when=faults.audit_kind("licence:countersign")):
        fails_with_lost_connection(sign)  # the commit itself fails
    before.check()
    chain_ok()
    assert sign().state == CaseState.APPROVED
    chain_ok()


def test_countersigning_a_refusal_leaves_no_sealed_letter_behind(world, how):
    """The refusal letter is sealed and stored as a file inside the transaction: if the transaction is then
    lost, no letter (a sealed document of a refusal that never took effect) may stay in the file store."""
    from attkit.assessment import services as assessment
    from attkit.licensing import documents, services
    from attkit.licensing.models import CaseState, DocumentKind
    from tests.licensing import world as w

    case = services.create_application(by=world["de.applicant"], data=w.embargoed_application())
    case = services.submit(case.pk, by=world["de.applicant"])
    for flag in case.flags.filter(severity="blocking", status="open"):
        services.resolve_flag(flag.pk, by=world["de.supervisor"], resolution="confirmed", reason="Confirmed.")
    services.screening_clear(case.pk, by=world["de.officer"])
    answers = w.answer_everything(assessment.bank(), gates_yes=("art6.1.destination",))
    assessment.save_answers(case.pk, by=world["de.assessor"], answers=answers)
    assessment.complete(case.pk, by=world["de.assessor"])
    services.propose_decision(
        case.pk, by=world["de.officer"], outcome="refuse", criteria=["ATT-6.1"], reasons="UN arms embargo."
    )
    before = Unchanged()
    sign = lambda: services.countersign(case.pk, by=world["de.supervisor"], agree=True)  # noqa: E731
    with faults.drop_at(documents, "issue_refusal_letter", how=how, after=True) as fault:
        fails_with_lost_connection(sign)
    assert fault.fired == 1
    before.check()
    chain_ok()
    refused = sign()
    assert refused.state == CaseState.REFUSED
    assert refused.documents.filter(kind=DocumentKind.REFUSAL).count() == 1
    chain_ok()


SHIPMENT_POINTS = {
    "after the goods lines are drawn down": ("integrations.draw_on_euc", False),
    "inside the EUC drawdown's audit record": ("euc:use", False),
    "inside the shipment's audit record": ("shipment:record", False),
    "after the audit record, before the commit": ("shipment:record", True),
}


@pytest.mark.parametrize("point", points(SHIPMENT_POINTS, fast="after the goods lines are drawn down"))
def test_recording_a_shipment_loses_its_connection(world, how, point):
    from django.utils import timezone

    from attkit.euc.models import EucUse, remaining_quantities
    from attkit.licensing import integrations, services
    from attkit.licensing.models import Shipment
    from tests.licensing import world as w

    case = w.issued(world)
    assert case.euc_certificate_id == world.euc.pk  # the export draws on MX's certificate
    before = Unchanged()
    record = lambda: services.record_shipment(  # noqa: E731
        case.pk,
        by=world["de.customs"],
        declaration_number="DE-EXP-0001",
        shipment_date=timezone.localdate(),
        lines=[{"line": 1, "quantity": 40}, {"line": 2, "quantity": 10}],
    )
    where, after = SHIPMENT_POINTS[point]
    if where == "integrations.draw_on_euc":
        patch = faults.drop_at(integrations, "draw_on_euc", how=how)
    else:
        patch = faults.drop_at(audit, "record", how=how, after=after, when=faults.audit_kind(where))
    with patch as fault:
        fails_with_lost_connection(record)
    assert fault.fired == 1
    before.check()  # no shipment, no drawdown on the licence or the EUC, no Art. 12 record, no event
    chain_ok()
    shipment = record()  # the same declaration number is free: the failed attempt left nothing
    assert Shipment.objects.filter(declaration_number="DE-EXP-0001").count() == 1
    assert {line.line_no: line.quantity_shipped for line in case.goods.all()} == {1: 40, 2: 10}
    assert EucUse.objects.filter(pk=shipment.euc_use_id).exists()
    assert sum(remaining_quantities(world.euc).values()) == sum(line.quantity for line in world.euc.goods.all()) - sum(
        line.quantity for line in EucUse.objects.get(pk=shipment.euc_use_id).lines.all()
    )
    chain_ok()


@pytest.mark.slow
def test_issuing_a_licence_leaves_no_sealed_licence_behind(world, how):
    from attkit.licensing import documents, services
    from attkit.licensing.models import CaseState, DocumentKind
    from tests.licensing import world as w

    case = w.proposed(world)
    services.countersign(case.pk, by=world["de.supervisor"], agree=True)
    before = Unchanged()
    issue = lambda: services.issue_licence(case.pk, by=world["de.officer"])  # noqa: E731
    with faults.drop_at(documents, "issue_licence_document", how=how, after=True) as fault:
        fails_with_lost_connection(issue)
    assert fault.fired == 1
    before.check()  # no licence document file, no seal on the case, no Art. 12 record
    chain_ok()
    issued = issue()
    assert issued.state == CaseState.LICENCE_ISSUED
    assert issued.documents.filter(kind=DocumentKind.LICENCE).count() == 1
    chain_ok()


# --- screening lists --------------------------------------------------------------------------------------

NATIONAL = "ref,name,schema,country,program\nN-1,Someone Unrelated Entirely,person,MX,national denial\n"


def _national(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "national.csv"
    path.write_text(text, encoding="utf-8")
    return path


LIST_POINTS = {
    "after the version row, while writing the entries": ("entries", False),
    "inside the audit record": ("screening:list_load", False),
    "after the audit record, before the commit": ("screening:list_load", True),
}


@pytest.mark.parametrize("point", points(LIST_POINTS, fast="inside the audit record"))
def test_loading_a_list_loses_its_connection(make_authority, tmp_path, how, point):
    from attkit.screening import services as screening
    from attkit.screening.models import ListedEntry, ListVersion

    de = make_authority("DE")
    first = screening.load_list("csv", _national(tmp_path, NATIONAL), authority=de, version="v1")
    second = _national(tmp_path, NATIONAL + "N-2,Armas del Norte S.A.,organization,MX,national denial\n")
    before = Unchanged()
    load = lambda: screening.load_list("csv", second, authority=de, version="v2")  # noqa: E731
    where, after = LIST_POINTS[point]
    if where == "entries":
        patch = faults.drop_at(ListedEntry.objects, "bulk_create", how=how)
    else:
        patch = faults.drop_at(audit, "record", how=how, after=after, when=faults.audit_kind(where))
    with patch as fault:
        fails_with_lost_connection(load)
    assert fault.fired == 1
    before.check()  # the first version is still the current one, no entries of a half version
    chain_ok()
    loaded = load()
    current = ListVersion.objects.get(authority=de, is_current=True)
    assert current.pk == loaded.pk and current.version == "v2" and current.previous_id == first.pk
    assert loaded.added == ["N-2"] and ListedEntry.objects.filter(version=loaded).count() == 2
    chain_ok()


def test_screening_a_party_loses_its_connection_between_two_hits(make_authority, tmp_path, how):
    from attkit.screening import services as screening
    from attkit.screening.models import ScreeningHit, ScreeningRun

    mx = make_authority("MX")
    two = "N-3,Juan Pérez García,person,MX,national denial\nN-4,Juan Perez Garcia,person,MX,national denial\n"
    screening.load_list("csv", _national(tmp_path, NATIONAL + two), authority=mx, version="v1")
    subject = screening.Subject(mx, "test.party", "party-1", "Party 1", "Juan Pérez García", country="MX")
    first = screening.screen_subject(subject)
    assert first.hits.count() == 2
    before = Unchanged()
    calls = {"n": 0}

    def second_hit(*args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        return calls["n"] == 2

    with faults.drop_at(ScreeningHit.objects, "create", how=how, when=second_hit) as fault:
        fails_with_lost_connection(lambda: screening.screen_subject(subject))
    assert fault.fired == 1
    before.check()  # the first run is still the latest, with its two hits; no run with one hit
    chain_ok()
    again = screening.screen_subject(subject)
    assert again.hits.count() == 2
    assert list(ScreeningRun.objects.filter(subject_id="party-1", is_latest=True)) == [again]
    chain_ok()


def test_a_list_loaded_but_not_rescreened_says_so_and_the_rescreen_command_finishes(world, tmp_path, how):
    """The re-screening of open cases runs after the new version has committed: a connection lost then must
    not be reported as 'not saved', and loading the same list again would find no change (so no re-screen)."""
    from django.core.exceptions import ValidationError
    from django.core.management import call_command

    from attkit.screening import services as screening
    from attkit.screening.models import ListVersion
    from tests.licensing import world as w

    case = w.under_assessment(world)
    party = case.parties.get(role="end_user")
    screening.load_list("csv", _national(tmp_path, NATIONAL), authority=case.authority, version="v1")
    changed = _national(tmp_path, NATIONAL + f"N-2,{party.name},organization,MX,national denial\n")
    with faults.drop_at(screening, "screen_subject", how=how) as fault:
        with pytest.raises(ValidationError) as info:
            screening.load_list("csv", changed, authority=case.authority, version="v2")
    assert fault.fired == 1
    assert "The list was loaded (version v2), but re-screening" in info.value.messages[0]
    assert "attkit screening rescreen" in info.value.messages[0]
    faults.reconnect()
    assert ListVersion.objects.get(authority=case.authority, is_current=True).version == "v2"
    assert not case.hits.filter(entry_ref="N-2").exists()
    chain_ok()
    call_command("screening", "rescreen")
    assert case.hits.filter(entry_ref="N-2", status="pending").exists()
    chain_ok()


# --- a worker killed in the middle of a request ----------------------------------------------------------

WORKER = Path(__file__).with_name("_faults_worker.py")
KEK = "test-key-encryption-key-for-fault-tests-0123456789"


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the SQLite test database lives in this process's memory, so no second process "
            "can hold its locks (set ATTKIT_TEST_DATABASE_URL)"
        )


class Worker:
    """A separate attkit process that runs a use case and stops inside it, holding its locks."""

    def __init__(self, operation: str, kind: str, user: Any, target: Any, var_dir: Path) -> None:
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        url = f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        self.var_dir = var_dir
        env = {
            **os.environ,
            "ATTKIT_ENV": "test",
            "ATTKIT_TEST_DATABASE_URL": url,
            "ATTKIT_KEY_ENCRYPTION_KEY": KEK,
            "ATTKIT_VAR_DIR": str(var_dir),
        }
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), operation, kind, str(user.pk), str(target.pk)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )

    def holding(self) -> int:
        """The backend pid of the worker once it holds the locks (a guard, not a timing, bounds the wait)."""
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 300)
        line = self.process.stdout.readline() if ready else ""
        if not line.startswith("HOLDING"):
            self.kill()
            stderr = self.process.stderr.read() if self.process.stderr else ""
            pytest.fail(f"the worker did not reach its locks: {line!r}\n{stderr[-3000:]}")
        return int(line.split()[1])

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@contextlib.contextmanager
def lock_timeout(value: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, false)", [value])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', '0', false)")


def assert_nothing_left_by(pid: int, var_dir: Path) -> None:
    with faults.admin_connection() as admin:
        assert admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() == (0,)
        assert admin.execute("SELECT count(*) FROM pg_locks WHERE pid = %s", [pid]).fetchone() == (0,)
        # No advisory lock (the audit chains' locks) is left in this database by anyone (pg_locks spans the
        # whole server, where other test databases may be busy).
        advisory = admin.execute(
            "SELECT l.pid, l.objid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND d.datname = current_database()"
        ).fetchall()
        assert advisory == []
    # attkit keeps no lock of its own outside the database (no lock files, no cache locks): nothing under var/.
    left = [p for p in var_dir.rglob("*") if "lock" in p.name.lower()] if var_dir.exists() else []
    assert left == []


def test_a_worker_killed_while_issuing_leaves_no_lock(euc_draft, tmp_path, postgres):
    from django.db import OperationalError

    from attkit.accounts.models import User
    from attkit.euc import serials, services

    draft, issuer = euc_draft
    drafter = User.objects.get(username="mx.drafter")
    other = services.draft_from_request(by=drafter, request=json.loads(EUC_REQUEST.read_text(encoding="utf-8")))
    worker = Worker("euc-issue", "euc:issue", issuer, draft, tmp_path / "var")
    try:
        pid = worker.holding()
        # Alive, it holds the certificate row, the serial counter and the audit chain: another issue waits.
        with lock_timeout("300ms"), pytest.raises(OperationalError, match="lock timeout"):
            services.issue(other.pk, by=issuer)
    finally:
        worker.kill()
    with lock_timeout("30s"):  # killed, it holds nothing: both issues go through without waiting that long
        first = services.issue(draft.pk, by=issuer)
        second = services.issue(other.pk, by=issuer)
    numbers = [serials.parse_serial(e.serial or "").number for e in (first, second)]  # type: ignore[union-attr]
    assert numbers == [2, 3]  # the number the killed worker had taken was never consumed
    assert_nothing_left_by(pid, tmp_path / "var")
    chain_ok()


@pytest.mark.slow
def test_a_worker_killed_while_recording_a_shipment_leaves_no_lock(world, tmp_path, postgres):
    from django.db import OperationalError
    from django.utils import timezone

    from attkit.euc.models import EucUse
    from attkit.licensing import services
    from attkit.licensing.models import Shipment
    from tests.licensing import world as w

    case = w.issued(world)
    worker = Worker("shipment", "shipment:record", world["de.customs"], case, tmp_path / "var")

    def record(number: str) -> Any:
        return services.record_shipment(
            case.pk,
            by=world["de.customs"],
            declaration_number=number,
            shipment_date=timezone.localdate(),
            lines=[{"line": 1, "quantity": 40}, {"line": 2, "quantity": 10}],
        )

    try:
        pid = worker.holding()
        # Alive, it holds the case, its goods lines, the MX certificate it draws on and both audit chains.
        with lock_timeout("300ms"), pytest.raises(OperationalError, match="lock timeout"):
            record("DE-EXP-OTHER")
    finally:
        worker.kill()
    with lock_timeout("30s"):
        shipment = record("DE-EXP-KILLED")  # the worker's declaration number: nothing of it was kept
    assert Shipment.objects.count() == 1 and EucUse.objects.count() == 1
    assert shipment.euc_use_id is not None
    assert {line.line_no: line.quantity_shipped for line in case.goods.all()} == {1: 40, 2: 10}
    assert_nothing_left_by(pid, tmp_path / "var")
    chain_ok()


# --- the command line ----------------------------------------------------------------------------------------


def test_the_issue_command_says_the_database_failed_in_one_line_and_leaves_no_draft(euc_draft, tmp_path, capsys):
    """`attkit euc issue` drafts and issues in one go: a lost connection must leave neither a certificate nor
    a stray draft (each retry would add one), and the operator reads one line, not a traceback."""
    from attkit import cli
    from attkit.euc.models import EndUserCertificate, EucStatus

    command = ["euc", "issue", "--from", str(EUC_REQUEST), "--authority", "MX", "--out", str(tmp_path)]
    command += ["--as", "mx.issuer"]
    before = Unchanged()
    with faults.drop_at(audit, "record", when=faults.audit_kind("euc:issue")):
        with pytest.raises(SystemExit) as info:
            cli.main(command)
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("attkit: the database could not complete the command") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    before.check()
    chain_ok()
    cli.main(command)
    serial = capsys.readouterr().out.strip()
    assert EndUserCertificate.objects.get(serial=serial).status == EucStatus.ISSUED
    assert (tmp_path / f"{serial}.pdf").exists()
    chain_ok()
