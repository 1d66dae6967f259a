"""`attkit licence list|show|verify|issue|expire` (the Django command behind the console script)."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command

from attkit.licensing.models import Case, CaseState
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("licence", *args, stdout=out)
    return out.getvalue()


def test_issue_from_the_example_files_and_submits_an_application(bare_world):
    output = run("issue", "--from", str(w.LICENCE_EXAMPLE), "--authority", "DE")
    data = json.loads(output)
    assert data["reference"].startswith("DE-LIC-") and data["state"] == "screening"
    assert data["applicant"] == "Demo Wehrtechnik GmbH (fictional)"
    assert {f["code"] for f in data["flags"]} >= {"euc_invalid"}  # the example's EUC is not on this database
    assert data["reference"] in run("list", "--authority", "DE")
    shown = json.loads(run("show", data["reference"], "--json"))
    assert [g["quantity"] for g in shown["goods"]] == [120, 80]


def test_issue_refuses_bad_input_in_one_line(bare_world, tmp_path):
    broken = tmp_path / "a.json"
    broken.write_text('{"kind": "export", "destination_country": "ZZ", "end_use": "x"}', encoding="utf-8")
    with pytest.raises(CommandError, match="destination_country"):
        run("issue", "--from", str(broken), "--authority", "DE", "--as", "de.applicant")
    with pytest.raises(CommandError, match="not a user of DE"):
        run("issue", "--from", str(w.LICENCE_EXAMPLE), "--authority", "DE", "--as", "mx.applicant")
    with pytest.raises(CommandError, match="no authority"):
        run("issue", "--from", str(w.LICENCE_EXAMPLE), "--authority", "QQ")


def test_issue_a_licence_of_an_approved_case_and_verify_it(world, tmp_path, monkeypatch):
    case = w.proposed(world)
    from attkit.licensing import services

    services.countersign(case.pk, by=world["de.supervisor"], agree=True)
    assert "licence_issued" in run("issue", case.reference, "--authority", "DE", "--as", "de.officer")
    case = Case.objects.get(pk=case.pk)
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(case.documents.get(kind="licence").file.read())
    answer = json.loads(run("verify", str(pdf), "--json"))
    assert answer["verdict"] == "valid" and answer["valid"] is True
    assert answer["certificate"]["reference"] == case.reference and answer["seal"].startswith("LIC1:")
    assert {"verdict", "reasons", "certificate", "seal", "registry"} <= set(answer)
    assert "verdict: valid" in run("verify", case.licence_seal)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(case.licence_seal.encode())))
    assert json.loads(run("verify", "-", "--json"))["valid"] is True
    services.revoke(case.pk, by=world["de.supervisor"], reason="Diversion.")
    with pytest.raises(SystemExit) as exit_code:
        run("verify", str(pdf), "--json")
    assert exit_code.value.code == 1
    with pytest.raises(CommandError):
        run("verify", "/no/such/file")


def test_expire_sweeps_nothing_when_nothing_is_due(bare_world):
    assert "0 licence(s) expired" in run("expire")
    assert Case.objects.filter(state=CaseState.EXPIRED).count() == 0
