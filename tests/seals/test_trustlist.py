"""Signed trust lists: build, verify against the pinned root, refuse tampering, feed the codec."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from attkit.seals import codec, pki, trustlist
from attkit.seals.codec import ReasonCode, Verdict
from attkit.seals.trustlist import SignerEntry, TrustListError, TrustListProblem
from attkit.seals.truststore import SignerStatus
from tests.seals.seal_helpers import DAY, T0, Authority, authority

NOW = T0 + 10 * DAY


def build(mx: Authority, **overrides: Any) -> bytes:
    options: dict[str, Any] = {
        "authority": mx.code,
        "root": mx.root,
        "signers": [SignerEntry(mx.signer.certificate)],
        "issued_at": T0,
        "next_update": T0 + 7 * DAY,
        "revoked_serials": ["MX-EUC-2026-000007"],
    }
    options.update(overrides)
    return trustlist.build_trust_list(**options)


def refused(data: bytes | str, root: Any, problem: TrustListProblem, **kwargs: Any) -> TrustListError:
    with pytest.raises(TrustListError) as caught:
        trustlist.parse_trust_list(data, root, **kwargs)
    assert caught.value.problem is problem, str(caught.value)
    return caught.value


def edit(data: bytes, change: Any) -> bytes:
    document = json.loads(data)
    change(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize("alg", list(pki.Algorithm))
def test_round_trip_and_seal_verification(alg: pki.Algorithm) -> None:
    mx = authority("MX", alg)
    parsed = trustlist.parse_trust_list(build(mx), mx.root.certificate)
    assert parsed.authority == "MX"
    assert parsed.issued_at == T0 and parsed.next_update == T0 + 7 * DAY
    assert [entry.certificate for entry in parsed.signers] == [mx.signer.certificate]
    assert parsed.revoked_serials == frozenset({"MX-EUC-2026-000007"})
    assert not parsed.is_stale(T0 + DAY) and parsed.is_stale(T0 + 8 * DAY)
    result = codec.verify(mx.seal(), parsed.trust_store(), now=NOW)
    assert result.valid, result.reasons
    assert result.signer is not None and result.signer.authority == "MX"


def test_the_file_is_readable_json_with_the_documented_members() -> None:
    mx = authority("MX")
    document = json.loads(build(mx))
    assert document["format"] == "attkit-trustlist/1"
    assert set(document) == {
        "format",
        "authority",
        "issued_at",
        "next_update",
        "root",
        "signers",
        "revoked_kids",
        "revoked_serials",
        "signature",
    }
    signer = document["signers"][0]
    assert set(signer) == {"kid", "certificate", "not_before", "not_after", "status"}
    assert signer["status"] == "active"
    header, middle, _ = document["signature"].split(".")
    assert middle == ""  # detached JWS
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {
        "alg": "ES256",
        "kid": base64.urlsafe_b64encode(mx.root.kid).rstrip(b"=").decode(),
        "typ": "attkit-trustlist+json",
    }


def test_a_list_binds_signers_to_its_authority() -> None:
    mx = authority("MX")
    store = trustlist.parse_trust_list(build(mx), mx.root.certificate).trust_store()
    result = codec.verify(mx.seal(issuer="CO"), store, now=NOW)
    assert result.verdict is Verdict.UNKNOWN_SIGNER and result.codes == [ReasonCode.ISSUER_MISMATCH]


def test_revoked_and_retired_signers() -> None:
    mx = authority("MX")
    retired = pki.issue_signer(mx.root, common_name="old signer", not_before=T0 - 20 * DAY)
    data = build(
        mx,
        signers=[SignerEntry(mx.signer.certificate), SignerEntry(retired.certificate, SignerStatus.RETIRED)],
        revoked_kids=[mx.signer.kid],
    )
    parsed = trustlist.parse_trust_list(data, mx.root.certificate)
    store = parsed.trust_store()
    assert store[mx.signer.kid][0].status is SignerStatus.REVOKED
    assert store[retired.kid][0].status is SignerStatus.RETIRED
    assert codec.verify(mx.seal(), store, now=NOW).verdict is Verdict.SIGNER_REVOKED


def test_several_authorities_in_one_store() -> None:
    mx, co = authority("MX"), authority("CO")
    lists = [
        trustlist.parse_trust_list(build(mx), mx.root.certificate),
        trustlist.parse_trust_list(build(co), co.root.certificate),
    ]
    store = trustlist.trust_store_from_lists(lists)
    assert codec.verify(mx.seal(), store, now=NOW).valid
    assert codec.verify(co.seal(), store, now=NOW).valid
    # CO's signer cannot vouch for a seal that claims to be from MX.
    assert codec.verify(co.seal(issuer="MX"), store, now=NOW).codes == [ReasonCode.ISSUER_MISMATCH]


def test_layout_does_not_matter_content_does() -> None:
    mx = authority("MX")
    data = build(mx)
    document = json.loads(data)
    reordered = json.dumps(dict(reversed(list(document.items()))), separators=(",", ":"))
    assert trustlist.parse_trust_list(reordered, mx.root.certificate).authority == "MX"


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("revoke nothing", lambda d: d.update(revoked_serials=[])),
        ("reactivate", lambda d: d["signers"][0].update(status="retired")),
        ("postpone", lambda d: d.update(next_update="2099-01-01T00:00:00Z")),
        ("add a signer", lambda d: d["signers"].append(dict(d["signers"][0]))),
        ("extra member", lambda d: d.update(note="hello")),
        ("drop signature", lambda d: d.pop("signature")),
        ("attached payload", lambda d: d.update(signature=d["signature"].replace("..", ".e30."))),
        ("garbled signature", lambda d: d.update(signature=d["signature"][:-4] + "AAAA")),
        ("no alg", lambda d: d.update(signature="e30.." + d["signature"].split(".")[2])),
    ],
)
def test_tampering_is_refused(what: str, change: Any) -> None:
    mx = authority("MX")
    refused(edit(build(mx), change), mx.root.certificate, TrustListProblem.BAD_SIGNATURE)


def test_another_root_is_refused() -> None:
    mx, co = authority("MX"), authority("CO")
    refused(build(mx), co.root.certificate, TrustListProblem.BAD_SIGNATURE)
    # Signed with MX's key but naming CO's root: the pinned root decides, not the file.
    mixed = trustlist.build_trust_list(
        authority="MX",
        root=pki.KeyPair(mx.root.key, co.root.certificate),
        signers=[],
        issued_at=T0,
        next_update=T0 + DAY,
    )
    refused(mixed, mx.root.certificate, TrustListProblem.WRONG_ROOT)


def test_rollback_to_an_older_list_is_refused() -> None:
    mx = authority("MX")
    refused(build(mx), mx.root.certificate, TrustListProblem.ROLLBACK, previous_issued_at=T0 + DAY)
    assert trustlist.parse_trust_list(build(mx), mx.root.certificate, previous_issued_at=T0)


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"format": "attkit-trustlist/1", "format": "x"}',
        b'{"a": 1.5}',
        b'{"a": NaN}',
        b"\xff\xfe{}",
        b"[" * 100_000,
    ],
)
def test_malformed_input_is_refused(junk: bytes) -> None:
    with pytest.raises(TrustListError) as caught:
        trustlist.parse_trust_list(junk, authority("MX").root.certificate)
    assert caught.value.problem in {TrustListProblem.NOT_JSON, TrustListProblem.INVALID, TrustListProblem.BAD_SIGNATURE}


def test_over_size_input_is_refused_unread() -> None:
    data = b" " * (trustlist.MAX_TRUST_LIST_BYTES + 1)
    refused(data, authority("MX").root.certificate, TrustListProblem.TOO_LARGE)


def test_build_refuses_signers_of_another_root() -> None:
    mx, co = authority("MX"), authority("CO")
    with pytest.raises(ValueError, match="not issued"):
        build(mx, signers=[SignerEntry(co.signer.certificate)])
    with pytest.raises(ValueError, match="authority code"):
        build(mx, authority="mx lowercase")


def resign(document: dict[str, Any], root: pki.KeyPair) -> bytes:
    """Sign a list as the format says (detached JWS over JCS), written independently of the module."""
    content = {key: value for key, value in document.items() if key != "signature"}
    header_b64 = document["signature"].split(".")[0]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    payload_b64 = base64.urlsafe_b64encode(canonical).rstrip(b"=").decode()
    _, signature = pki.sign(root.key, f"{header_b64}.{payload_b64}".encode())
    document = {**content, "signature": f"{header_b64}..{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"}
    return json.dumps(document).encode()


def test_an_independent_signer_of_the_format_is_accepted() -> None:
    mx = authority("MX")
    document = json.loads(build(mx))
    document["revoked_serials"].append("MX-EUC-2026-000099")
    parsed = trustlist.parse_trust_list(resign(document, mx.root), mx.root.certificate)
    assert "MX-EUC-2026-000099" in parsed.revoked_serials


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("format", lambda d, co: d.update(format="attkit-trustlist/2")),
        ("authority", lambda d, co: d.update(authority="mx")),
        ("time", lambda d, co: d.update(issued_at="yesterday")),
        ("order", lambda d, co: d.update(next_update=d["issued_at"])),
        ("kid", lambda d, co: d["signers"][0].update(kid="AAAAAAAAAAA=")),
        ("dates", lambda d, co: d["signers"][0].update(not_after="2099-01-01T00:00:00Z")),
        ("status", lambda d, co: d["signers"][0].update(status="suspended")),
        ("certificate", lambda d, co: d["signers"][0].update(certificate="bm90IGEgY2VydA==")),
        ("signers", lambda d, co: d.update(signers={"a": 1})),
        ("serials", lambda d, co: d.update(revoked_serials=[1])),
        ("revoked kid", lambda d, co: d.update(revoked_kids=["short"])),
        (
            "foreign signer",
            lambda d, co: d["signers"].append(
                {
                    "kid": base64.b64encode(co.signer.kid).decode(),
                    "certificate": pki.certificate_b64(co.signer.certificate),
                    "not_before": co.signer.certificate.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "not_after": co.signer.certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "status": "active",
                }
            ),
        ),
    ],
)
def test_signed_but_invalid_content_is_refused(what: str, change: Any) -> None:
    mx, co = authority("MX"), authority("CO")
    document = json.loads(build(mx))
    change(document, co)
    refused(resign(document, mx.root), mx.root.certificate, TrustListProblem.INVALID)
