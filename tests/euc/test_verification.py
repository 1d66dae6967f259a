"""Every verdict of EUC verification, through the service, `attkit euc verify` and POST /api/v1/euc/verify."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import cbor2
import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from attkit.euc import services, verifying
from attkit.seals import codec, pki

pytestmark = pytest.mark.django_db


def tampered_signature(text: str) -> str:
    """The same seal with one bit of its signature flipped."""
    cose = cbor2.loads(codec.unpack(text, codec.EUC))
    protected, unprotected, payload_bytes, signature = cose.value
    signature = bytes([signature[0] ^ 0x01]) + signature[1:]
    return codec.pack(cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload_bytes, signature])), codec.EUC)


def forged(text: str) -> str:
    """A look-alike seal with the same content, signed by a key nobody trusts (a forger's)."""
    cose = cbor2.loads(codec.unpack(text, codec.EUC))
    claims = cbor2.loads(cose.value[2])
    now = timezone.now()
    root = pki.create_root(country="MX", organization="Forger", common_name="Forged root", not_before=now)
    signer = codec.Signer.from_pair(pki.issue_signer(root, common_name="Forged signer", not_before=now))
    return codec.encode(
        claims[codec.ATTKIT_PAYLOAD_CLAIM],
        signer=signer,
        issuer="MX",
        issued_at=now,
        expires_at=now + dt.timedelta(days=30),
        extra_claims={7: claims[7]},
    )


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (300, 300), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def use_everything(euc: Any, by: Any) -> None:
    services.record_use(
        euc,
        exporting_state="DE",
        exporter="Demo Wehrtechnik GmbH (fictional)",
        licence_reference="DE-ALL",
        quantities={g.line_no: g.quantity for g in euc.goods.all()},
        by=by,
    )


# Each case turns an issued certificate into (what to verify, when) and names the verdict expected.
Case = Callable[[Any, dict[str, Any]], tuple[str | bytes, dt.datetime | None]]


def _valid(euc: Any, who: dict[str, Any]) -> tuple[str, None]:
    return euc.seal_text, None


def _invalid_signature(euc: Any, who: dict[str, Any]) -> tuple[str, None]:
    return tampered_signature(euc.seal_text), None


def _unknown_signer(euc: Any, who: dict[str, Any]) -> tuple[str, None]:
    return forged(euc.seal_text), None


def _expired(euc: Any, who: dict[str, Any]) -> tuple[str, dt.datetime]:
    return euc.seal_text, timezone.now() + dt.timedelta(days=400)


def _revoked(euc: Any, who: dict[str, Any]) -> tuple[str, None]:
    services.revoke(euc.pk, by=who["supervisor"], reason="Reported stolen")
    return euc.seal_text, None


def _superseded(euc: Any, who: dict[str, Any]) -> tuple[str, None]:
    new = services.start_amendment(euc.pk, by=who["drafter"], reason="Quantities changed")
    services.issue(new.pk, by=who["issuer"])
    return euc.seal_text, None


def _already_used(euc: Any, who: dict[str, Any]) -> tuple[str, None]:
    use_everything(euc, who["de_verifier"])
    return euc.seal_text, None


def _malformed(euc: Any, who: dict[str, Any]) -> tuple[str, None]:
    return "EUC1:" + euc.seal_text[5:40] + "::::", None


def _no_seal(euc: Any, who: dict[str, Any]) -> tuple[bytes, None]:
    return blank_png(), None


CASES: dict[str, Case] = {
    "valid": _valid,
    "invalid_signature": _invalid_signature,
    "unknown_signer": _unknown_signer,
    "expired": _expired,
    "revoked": _revoked,
    "superseded": _superseded,
    "already_used": _already_used,
    "malformed": _malformed,
    "no_seal_found": _no_seal,
}


@pytest.fixture
def who(drafter: Any, issuer: Any, supervisor: Any, de_verifier: Any) -> dict[str, Any]:
    return {"drafter": drafter, "issuer": issuer, "supervisor": supervisor, "de_verifier": de_verifier}


@pytest.mark.parametrize("verdict", list(CASES))
def test_each_verdict_through_the_service(verdict, issued, who):
    subject, at = CASES[verdict](issued, who)
    from attkit.seals import verification

    if isinstance(subject, bytes):
        result = verification.verify_file(subject, "photo.png", user=who["de_verifier"], at=at)
    else:
        result = verification.verify_text(subject, user=who["de_verifier"], at=at)
    assert result.verdict.value == verdict
    assert result.reasons or verdict == "valid"


# The CLI and the API verify at the present time; "expired" is covered through the service (a time given).
NOW_CASES = [v for v in CASES if v != "expired"]


@pytest.mark.parametrize("verdict", NOW_CASES)
def test_each_verdict_through_the_cli(verdict, issued, who, tmp_path, capsys):
    subject, _at = CASES[verdict](issued, who)
    target = tmp_path / "input.bin"
    target.write_bytes(subject if isinstance(subject, bytes) else subject.encode())
    code = 0
    try:
        call_command("euc", "verify", str(target), "--json")
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == verdict
    assert {"verdict", "reasons", "certificate", "seal"} <= set(out)
    assert code == (0 if verdict == "valid" else 1)


@pytest.mark.parametrize("verdict", NOW_CASES)
def test_each_verdict_through_the_api(verdict, issued, who, client, login):
    subject, _at = CASES[verdict](issued, who)
    login(who["de_verifier"])
    if isinstance(subject, bytes):
        response = client.post("/api/v1/euc/verify", {"file": io.BytesIO(subject)})
    else:
        response = client.post("/api/v1/euc/verify", {"text": subject}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == verdict


def test_the_valid_answer_carries_the_certificate_and_the_registry(issued, de_verifier):
    result = verifying.verify_text(issued.seal_text, user=de_verifier)
    out = verifying.output(result)
    certificate = out["certificate"]
    assert certificate["serial"] == issued.serial
    assert certificate["authority"] == "MX"
    assert certificate["goods"][0] == {"category": "VIII-SA-2", "hs_code": "930190", "quantity": 250, "unit": "unit"}
    assert certificate["document_hash"] == issued.document_hash
    assert out["seal"] == issued.seal_text
    assert out["registry"]["status"] == "issued"
    assert out["registry"]["quantities"][0]["left"] == 250


def test_partial_use_stays_valid_and_shows_what_is_left(issued, de_verifier):
    services.record_use(
        issued, exporting_state="DE", exporter="X", licence_reference="DE-1", quantities={1: 100}, by=de_verifier
    )
    result = verifying.verify_text(issued.seal_text, user=de_verifier)
    assert result.valid
    assert result.registry["quantities"][0]["left"] == 150
    assert result.registry["exporting_states"] == ["DE"]


def test_a_closed_certificate_is_already_used_and_names_its_dvc(issued, issuer, de_verifier):
    use_everything(issued, de_verifier)
    dvc = services.record_delivery(
        issued.pk,
        by=issuer,
        delivery_date=dt.date.today(),
        checked_by="Cap. Demo",
        quantities={g.line_no: g.quantity for g in issued.goods.all()},
    )
    result = verifying.verify_text(issued.seal_text, user=de_verifier)
    assert result.verdict.value == "already_used"
    assert result.registry["dvc"]["serial"] == dvc.serial
    dvc_result = verifying.verify_text(dvc.seal_text, user=de_verifier)
    assert dvc_result.valid
    assert verifying.output(dvc_result)["certificate"]["certificate"] == issued.serial


def test_offline_verification_does_not_consult_the_registry(issued, de_verifier):
    use_everything(issued, de_verifier)
    result = verifying.verify_text(issued.seal_text, user=de_verifier, online=False)
    assert result.valid and result.registry is None


def test_cli_reads_seal_text_from_standard_input(issued, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(issued.seal_text.encode())))
    call_command("euc", "verify", "-")
    out = capsys.readouterr().out
    assert out.startswith("verdict: valid")
    assert issued.serial in out


def test_cli_takes_the_seal_text_as_argument(issued, capsys):
    call_command("euc", "verify", issued.seal_text, "--json")
    assert json.loads(capsys.readouterr().out)["verdict"] == "valid"


def test_api_refuses_a_request_without_text(client, login, de_verifier):
    login(de_verifier)
    response = client.post("/api/v1/euc/verify", {"nothing": 1}, content_type="application/json")
    assert response.status_code == 422
    response = client.post("/api/v1/euc/verify", b"not json", content_type="application/json")
    assert response.status_code == 422


def test_api_needs_the_verify_permission(client, login, make_user, issued):
    from attkit.core.permissions import Role

    login(make_user("DE", Role.INSTRUCTOR))
    response = client.post("/api/v1/euc/verify", {"text": issued.seal_text}, content_type="application/json")
    assert response.status_code == 403


def test_a_qr_of_another_kind_is_no_seal_found_in_the_json(tmp_path, capsys):
    """A DCC (HC1:) or any foreign QR gives one of the promised verdicts, with the finer one beside it."""
    target = tmp_path / "dcc.txt"
    target.write_text("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N")
    with pytest.raises(SystemExit) as exit_info:
        call_command("euc", "verify", str(target), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "no_seal_found" and out["verdict_detail"] == "wrong_prefix"
    assert exit_info.value.code == 1
