"""The commands: `attkit seal verify` on the DCC vectors, `attkit trust`, `attkit keys`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attkit.seals import pki, services
from attkit.seals.models import CertificateStatus, ImportedTrustList, SignerCertificate

from .helpers import foreign_state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dcc-testdata"
# Vectors whose signature, dates and encoding steps are expected to pass, and those expected to fail one of them
# (key usage and schema vectors are DCC-specific rules, not the generic verifier's).
VALID = ["CO1", "CO2", "CO3", "CO18", "CO19", "CO20", "CO21", "CO28"]
TAMPERED = ["CO5", "CO16", "CO17", "CO22", "CO23", "B1", "CBO1", "CBO2", "H1", "H2", "H3", "Z1", "Z2"]
STEPS = (
    "EXPECTEDVERIFY",
    "EXPECTEDEXPIRATIONCHECK",
    "EXPECTEDDECODE",
    "EXPECTEDB45DECODE",
    "EXPECTEDUNPREFIX",
    "EXPECTEDCOMPRESSION",
)


def _vector(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _verify(vector: dict[str, Any], *extra: str, text: str | None = None) -> tuple[int, str]:
    out = io.StringIO()
    args = [
        "verify",
        "--prefix",
        "HC1:",
        "--cert",
        vector["TESTCTX"]["CERTIFICATE"],
        "--at",
        vector["TESTCTX"]["VALIDATIONCLOCK"],
    ]
    try:
        call_command("seal", *args, *extra, text if text is not None else vector["PREFIX"], stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_the_chosen_vectors_expect_what_the_tests_say():
    for name in VALID:
        expected = _vector(name)["EXPECTEDRESULTS"]
        assert all(expected.get(step, True) for step in STEPS), name
    for name in TAMPERED:
        expected = _vector(name)["EXPECTEDRESULTS"]
        assert not all(expected.get(step, True) for step in STEPS), name


@pytest.mark.parametrize("name", VALID)
def test_seal_verify_accepts_valid_vectors(name):
    vector = _vector(name)
    code, out = _verify(vector, "--json")
    assert code == 0, out
    body = json.loads(out)
    assert body["verdict"] == "valid" and body["reasons"] == []
    assert body["seal"] == vector["PREFIX"]
    if "JSON" in vector:
        assert body["certificate"] == json.loads(json.dumps(vector["JSON"]))


@pytest.mark.parametrize("name", TAMPERED)
def test_seal_verify_refuses_bad_vectors(name):
    code, out = _verify(_vector(name), "--json")
    assert code == 1
    body = json.loads(out)
    assert body["verdict"] != "valid" and body["reasons"]


def test_seal_verify_expired_at_a_later_time():
    vector = _vector("CO28")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "seal",
            "verify",
            "--prefix",
            "HC1:",
            "--cert",
            vector["TESTCTX"]["CERTIFICATE"],
            "--at",
            "2030-01-01T00:00:00Z",
            vector["PREFIX"],
            stdout=out,
        )
    assert exit_.value.code == 1
    assert "expired" in out.getvalue()


def test_seal_verify_reads_the_certificate_from_a_pem_or_der_file(tmp_path):
    vector = _vector("CO28")
    certificate = pki.load_certificate(vector["TESTCTX"]["CERTIFICATE"])
    pem, der = tmp_path / "signer.pem", tmp_path / "signer.der"
    pki.write_certificate(pem, certificate)
    der.write_bytes(
        certificate.public_bytes(
            __import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER
        )
    )
    for path in (pem, der):
        out = io.StringIO()
        call_command(
            "seal",
            "verify",
            "--prefix",
            "HC1:",
            "--cert",
            str(path),
            "--at",
            vector["TESTCTX"]["VALIDATIONCLOCK"],
            vector["PREFIX"],
            stdout=out,
        )
        assert out.getvalue().startswith("verdict: valid")


def test_seal_verify_usage_errors():
    with pytest.raises(CommandError, match="--cert"):
        call_command("seal", "verify", "--prefix", "HC1:", "--cert", "garbage", "HC1:X")
    with pytest.raises(CommandError, match="--at"):
        call_command(
            "seal",
            "verify",
            "--prefix",
            "HC1:",
            "--cert",
            _vector("CO1")["TESTCTX"]["CERTIFICATE"],
            "--at",
            "soon",
            "HC1:X",
        )
    with pytest.raises(CommandError, match="--prefix"):
        call_command("seal", "verify", "--prefix", "hc1", "--cert", _vector("CO1")["TESTCTX"]["CERTIFICATE"], "HC1:X")


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATTKIT_ENV": "test"}
    return subprocess.run(
        [sys.executable, "-m", "attkit.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_the_attkit_command_exit_codes_on_vectors():
    good, bad = _vector("CO28"), _vector("CO5")
    ok = _run(
        "seal",
        "verify",
        "--prefix",
        "HC1:",
        "--cert",
        good["TESTCTX"]["CERTIFICATE"],
        "--at",
        good["TESTCTX"]["VALIDATIONCLOCK"],
        "--json",
        "-",
        stdin=good["PREFIX"],
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["verdict"] == "valid"
    refused = _run(
        "seal",
        "verify",
        "--prefix",
        "HC1:",
        "--cert",
        bad["TESTCTX"]["CERTIFICATE"],
        "--at",
        bad["TESTCTX"]["VALIDATIONCLOCK"],
        bad["PREFIX"],
    )
    assert refused.returncode == 1
    assert "verdict: invalid_signature" in refused.stdout


# --- trust and keys ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_trust_export_and_import(authority, tmp_path):
    mx = authority("MX")
    authority("DE")
    out = tmp_path / "mx.json"
    err = io.StringIO()
    call_command("trust", "export", "--authority", "MX", "--out", str(out), stdout=io.StringIO(), stderr=err)
    root = services.active_root(mx)
    assert root is not None and root.fingerprint in err.getvalue()
    text = io.StringIO()
    call_command("trust", "import", str(out), "--into", "DE", stdout=text)
    assert "NOT pinned" in text.getvalue() and root.fingerprint in text.getvalue()
    text = io.StringIO()
    call_command("trust", "import", str(out), "--into", "DE", "--fingerprint", root.fingerprint, stdout=text)
    assert "pinned, in use" in text.getvalue()
    assert ImportedTrustList.objects.get(issuer_code="MX", is_current=True).pinned
    listing = io.StringIO()
    call_command("trust", "list", "--authority", "DE", stdout=listing)
    assert "MX" in listing.getvalue() and "pinned" in listing.getvalue()
    fp = io.StringIO()
    call_command("trust", "fingerprint", "--authority", "MX", stdout=fp)
    assert fp.getvalue().strip() == root.fingerprint


@pytest.mark.django_db
def test_trust_import_refusals_are_one_line_errors(authority, tmp_path):
    authority("DE")
    co = foreign_state("CO")
    path = tmp_path / "co.json"
    path.write_bytes(co.trust_list().replace(b'"active"', b'"retired"'))
    with pytest.raises(CommandError, match="does not verify"):
        call_command("trust", "import", str(path), "--into", "DE", "--fingerprint", co.fingerprint)
    with pytest.raises(CommandError, match="no authority"):
        call_command("trust", "import", str(path), "--into", "ZZ")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("trust", "import", str(tmp_path / "missing.json"), "--into", "DE")


@pytest.mark.django_db
def test_keys_list_rotate_revoke(authority):
    mx = authority("MX")
    out = io.StringIO()
    call_command("keys", "list", "--authority", "MX", stdout=out)
    assert "no seal keys yet" in out.getvalue()
    call_command("keys", "ensure", "--authority", "MX", stdout=io.StringIO())
    old = services.active_signer(mx)
    assert old is not None
    out = io.StringIO()
    call_command("keys", "rotate", "--authority", "MX", stdout=out)
    new = services.active_signer(mx)
    assert new is not None and new.kid != old.kid and old.kid in out.getvalue()
    call_command("keys", "revoke", "--authority", "MX", "--kid", old.kid, "--reason", "test", stdout=io.StringIO())
    assert SignerCertificate.objects.get(pk=old.pk).status == CertificateStatus.REVOKED
    out = io.StringIO()
    call_command("keys", "list", "--authority", "MX", stdout=out)
    assert out.getvalue().count("signer") == 2 and "revoked" in out.getvalue() and "root" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("keys", "revoke", "--authority", "MX", "--kid", old.kid, "--reason", "again")


def test_keys_new_kek():
    out = io.StringIO()
    call_command("keys", "new-kek", stdout=out)
    assert len(out.getvalue().strip()) == 43


@pytest.mark.django_db
def test_keys_orphans_lists_and_deletes_only_unreferenced_old_files(authority, settings):
    services.ensure_authority_keys(authority("MX"))
    stray = Path(settings.KEYS_DIR) / "MX" / "stray.pem"
    stray.write_bytes(b"x")
    os.utime(stray, (0, 0))
    fresh = Path(settings.KEYS_DIR) / "MX" / "fresh.pem"
    fresh.write_bytes(b"x")
    out = io.StringIO()
    call_command("keys", "orphans", stdout=out)
    assert "stray.pem" in out.getvalue() and "fresh.pem" not in out.getvalue() and "1 orphan" in out.getvalue()
    call_command("keys", "orphans", "--delete", stdout=io.StringIO())
    assert not stray.exists() and fresh.exists()
    assert len(list(Path(settings.KEYS_DIR).glob("MX/*.pem"))) == 3  # the two keys and the fresh file
