"""`attkit euc issue|revoke|verify|blank|expire` from the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attkit.core.permissions import Role
from attkit.euc import serials
from attkit.euc.models import EndUserCertificate, EucStatus
from tests.euc.conftest import EXAMPLE
from tests.euc.test_printing import page_text

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("euc", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_issue_from_the_example_as_the_system_account(mx, tmp_path):
    out, err = run("issue", "--from", str(EXAMPLE), "--authority", "MX", "--out", str(tmp_path))
    serial = out.strip()
    assert serials.is_valid_serial(serial)
    euc = EndUserCertificate.objects.get(serial=serial)
    assert euc.status == EucStatus.ISSUED
    assert euc.issued_by.username == "mx.system" and euc.issued_by.is_system
    assert euc.drafted_by is None and euc.drafted_via == "file:euc-request.json"
    pdf = tmp_path / f"{serial}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert str(pdf) in err


def test_issue_as_a_named_issuer(mx, make_user, tmp_path):
    make_user("MX", Role.EUC_ISSUER, username="mx.ana")
    out, _ = run("issue", "--from", str(EXAMPLE), "--authority", "mx", "--out", str(tmp_path), "--as", "mx.ana")
    assert EndUserCertificate.objects.get(serial=out.strip()).issued_by.username == "mx.ana"


def test_issue_refuses_a_user_who_is_not_an_issuer_or_of_another_state(mx, make_user, tmp_path):
    make_user("MX", Role.LICENSING_OFFICER, username="mx.officer")
    make_user("DE", Role.EUC_ISSUER, username="de.issuer")
    with pytest.raises(CommandError, match="not an end-user certificate issuer"):
        run("issue", "--from", str(EXAMPLE), "--authority", "MX", "--out", str(tmp_path), "--as", "mx.officer")
    with pytest.raises(CommandError, match="not a user of MX"):
        run("issue", "--from", str(EXAMPLE), "--authority", "MX", "--out", str(tmp_path), "--as", "de.issuer")
    assert not EndUserCertificate.objects.exists()


def test_issue_reports_every_fault_of_a_bad_request_on_one_line(mx, tmp_path):
    request = json.loads(EXAMPLE.read_text())
    request["goods"][0]["quantity"] = -3
    request["parties"] = request["parties"][1:]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(request))
    with pytest.raises(CommandError) as info:
        run("issue", "--from", str(bad), "--authority", "MX", "--out", str(tmp_path))
    message = str(info.value)
    assert "goods.0.quantity" in message and "parties" in message and "\n" not in message
    assert not EndUserCertificate.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"{not json", "not JSON"), (b"[1, 2]", "JSON object"), (b"x" * (1024 * 1024 + 10), "larger than 1 MB")],
)
def test_issue_refuses_unreadable_requests(mx, tmp_path, content, expected):
    path = tmp_path / "request.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=expected):
        run("issue", "--from", str(path), "--authority", "MX", "--out", str(tmp_path))


def test_issue_needs_a_known_authority(tmp_path, db):
    with pytest.raises(CommandError, match="no authority"):
        run("issue", "--from", str(EXAMPLE), "--authority", "ZZ", "--out", str(tmp_path))


def test_revoke_by_serial(issued):
    out, _ = run("revoke", issued.serial, "--reason", "Reported forged by the end user")
    assert "revoked" in out
    issued.refresh_from_db()
    assert issued.status == EucStatus.REVOKED
    assert issued.revocation_reason == "Reported forged by the end user"


def test_revoke_refuses_a_mistyped_or_unknown_serial(issued):
    wrong_digits = issued.serial[:-2] + ("00" if issued.serial[-2:] != "00" else "01")
    with pytest.raises(CommandError, match="check digits"):
        run("revoke", wrong_digits, "--reason", "x")
    unknown = serials.format_serial("MX", 2026, 999999)
    with pytest.raises(CommandError, match="no certificate"):
        run("revoke", unknown, "--reason", "x")
    with pytest.raises(CommandError):
        run("revoke", issued.serial, "--reason", " ")


def test_verify_the_issued_pdf_end_to_end(mx, tmp_path, capsys):
    out, _ = run("issue", "--from", str(EXAMPLE), "--authority", "MX", "--out", str(tmp_path))
    serial = out.strip()
    call_command("euc", "verify", str(tmp_path / f"{serial}.pdf"), "--json")
    answer = json.loads(capsys.readouterr().out)
    assert answer["verdict"] == "valid"
    assert answer["certificate"]["serial"] == serial


def test_verify_of_a_missing_file_is_a_usage_error(db):
    with pytest.raises(CommandError, match="no such file"):
        run("verify", "/nonexistent/euc.pdf")


def test_blank_writes_the_model_form(tmp_path):
    target = tmp_path / "forms" / "euc-blank.pdf"
    out, _ = run("blank", "--out", str(target))
    assert out.strip() == str(target)
    assert "CERTIFICADO DE USUARIO FINAL" in page_text(target.read_bytes())


def test_expire_sweeps(issued, monkeypatch):
    import datetime as dt

    from attkit.euc import services

    real = services._today
    monkeypatch.setattr(services, "_today", lambda: real() + dt.timedelta(days=400))
    out, _ = run("expire")
    assert issued.serial in out
    issued.refresh_from_db()
    assert issued.status == EucStatus.EXPIRED


def test_exit_codes(issued):
    """0 only when valid, 1 for any other verdict, 2 for a usage error."""
    with pytest.raises(SystemExit) as info:
        run("verify", "EUC1:NOT-A-SEAL")
    assert info.value.code == 1
    with pytest.raises(CommandError) as usage:
        run("verify", "/nonexistent/euc.pdf")
    assert usage.value.returncode == 2
    out, _ = run("verify", issued.seal_text)
    assert out.startswith("verdict: valid")
