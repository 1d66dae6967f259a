"""Seal codec behaviour: round trips, each verdict, caps, and the strictness that keeps forgeries out."""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta

import base45
import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from attkit.seals import codec, pki
from attkit.seals.codec import ReasonCode, Stage, Verdict
from attkit.seals.truststore import SignerStatus, TrustedSigner, TrustStore
from tests.seals.seal_helpers import DAY, GOODS_PAYLOAD, T0, authority, claims_for, es256_header, forge, make_authority

NOW = T0 + 10 * DAY
# {1: "MX", 6: iat, 4: exp, -65537: 28([29(0)])}: a list that contains itself, if a decoder allowed it.
SHARED_CYCLE = (
    b"\xa4"
    + cbor2.dumps(1)
    + cbor2.dumps("MX")
    + cbor2.dumps(6)
    + cbor2.dumps(1_700_000_000)
    + cbor2.dumps(4)
    + cbor2.dumps(1_800_000_000)
    + cbor2.dumps(-65537)
    + bytes.fromhex("d81c81d81d00")
)


def verify(
    text: object,
    store: TrustStore,
    *,
    now: datetime = NOW,
    profiles: Sequence[codec.SealProfile] = (codec.EUC,),
    clock_skew: timedelta = codec.DEFAULT_CLOCK_SKEW,
) -> codec.VerifyResult:
    return codec.verify(text, store, now=now, profiles=profiles, clock_skew=clock_skew)


@pytest.mark.parametrize("alg", list(pki.Algorithm))
def test_round_trip_for_each_algorithm(alg: pki.Algorithm) -> None:
    mx = authority("MX", alg)
    text = mx.seal()
    result = verify(text, mx.store)
    assert result.verdict is Verdict.VALID, result.reasons
    assert result.stage is Stage.COMPLETE
    assert result.reasons == [] and result.codes == []
    assert text.startswith("EUC1:")
    assert result.payload == GOODS_PAYLOAD
    assert result.alg is alg
    assert result.kid == mx.signer.kid
    assert result.signer is not None and result.signer.fingerprint == pki.fingerprint(mx.signer.certificate)
    assert result.issuer == "MX"
    assert result.issued_at == T0 and result.expires_at == T0 + 365 * DAY
    assert result.claims is not None and result.claims[codec.CLAIM_ISS] == "MX"
    assert result.profile is codec.EUC


def test_cose_carries_alg_and_kid_in_the_protected_header() -> None:
    mx = authority("MX")
    cose = codec.parse_cose(codec.unpack(mx.seal(), codec.EUC))
    assert cose.protected == {codec.HEADER_ALG: -7, codec.HEADER_KID: mx.signer.kid}
    assert cose.unprotected == {}
    assert len(cose.signature) == 64  # raw r||s, not DER
    assert mx.signer.kid == mx.signer.certificate.fingerprint(hashes.SHA256())[:8]


def test_kid_in_protected_header_wins_over_unprotected() -> None:
    mx, co = authority("MX"), authority("CO")
    good = forge(claims_for(), mx.signer.key, protected=es256_header(mx.signer), unprotected={4: co.signer.kid})
    assert verify(codec.pack(good, codec.EUC), mx.store).valid
    bad = forge(claims_for(), mx.signer.key, protected={1: -7, 4: co.signer.kid}, unprotected={4: mx.signer.kid})
    assert verify(codec.pack(bad, codec.EUC), mx.store).verdict is Verdict.UNKNOWN_SIGNER


def test_other_prefixes_of_attkit() -> None:
    mx = authority("MX")
    dvc = mx.seal(profile=codec.DVC)
    assert dvc.startswith("DVC1:")
    both = verify(dvc, mx.store, profiles=[codec.EUC, codec.DVC])
    assert both.valid and both.profile is codec.DVC
    only_euc = verify(dvc, mx.store)
    assert only_euc.verdict is Verdict.WRONG_PREFIX and only_euc.codes == [ReasonCode.WRONG_PREFIX]
    assert "delivery verification certificate" in only_euc.reasons[0]


def test_foreign_prefix_is_wrong_prefix() -> None:
    result = verify("XYZ1:6BFOXN*TS0BI$ZD", authority("MX").store)
    assert result.verdict is Verdict.WRONG_PREFIX
    assert result.codes == [ReasonCode.UNKNOWN_PREFIX]
    assert result.stage is Stage.PREFIX


def test_wrong_key_is_invalid_signature() -> None:
    mx, co = authority("MX"), authority("CO")
    # Signed with CO's key but naming MX's signer.
    forged = forge(claims_for(), co.signer.key, protected=es256_header(mx.signer))
    result = verify(codec.pack(forged, codec.EUC), mx.store)
    assert result.verdict is Verdict.INVALID_SIGNATURE
    assert result.codes == [ReasonCode.SIGNATURE_INVALID]
    assert result.claims is None and result.payload is None  # nothing unsigned is handed out


def test_unknown_kid_is_unknown_signer() -> None:
    mx, co = authority("MX"), authority("CO")
    result = verify(mx.seal(), co.store)
    assert result.verdict is Verdict.UNKNOWN_SIGNER
    assert result.codes == [ReasonCode.KID_UNKNOWN]
    assert result.kid == mx.signer.kid
    assert mx.signer.kid.hex() in result.reasons[0]


def test_missing_kid_is_malformed() -> None:
    mx = authority("MX")
    forged = forge(claims_for(), mx.signer.key, protected={1: -7})
    result = verify(codec.pack(forged, codec.EUC), mx.store)
    assert result.verdict is Verdict.MALFORMED and result.codes == [ReasonCode.KID_MISSING]


def test_expired() -> None:
    mx = authority("MX")
    result = verify(mx.seal(lifetime=5 * DAY), mx.store, now=T0 + 5 * DAY + timedelta(seconds=1))
    assert result.verdict is Verdict.EXPIRED
    assert result.codes == [ReasonCode.EXPIRED]
    assert result.payload == GOODS_PAYLOAD  # signed content is shown with the verdict
    assert verify(mx.seal(lifetime=5 * DAY), mx.store, now=T0 + 5 * DAY).valid  # exp itself is still valid


def test_not_yet_valid_beyond_clock_skew() -> None:
    mx = authority("MX")
    text = mx.seal(issued_at=NOW + timedelta(minutes=10))
    result = verify(text, mx.store)
    assert result.verdict is Verdict.NOT_YET_VALID and result.codes == [ReasonCode.NOT_YET_VALID]
    assert verify(text, mx.store, clock_skew=timedelta(minutes=15)).valid


def test_disallowed_algorithm_is_malformed() -> None:
    mx = authority("MX")
    # ES256 signature but the header says ES384 (-35), which attkit does not allow.
    forged = forge(claims_for(), mx.signer.key, protected={1: -35, 4: mx.signer.kid})
    result = verify(codec.pack(forged, codec.EUC), mx.store)
    assert result.verdict is Verdict.MALFORMED
    assert result.codes == [ReasonCode.ALGORITHM_NOT_ALLOWED]
    none = forge(claims_for(), mx.signer.key, protected={4: mx.signer.kid})
    assert verify(codec.pack(none, codec.EUC), mx.store).codes == [ReasonCode.ALGORITHM_MISSING]


def test_profile_can_narrow_the_algorithms() -> None:
    ed = authority("MX", pki.Algorithm.EDDSA)
    strict = codec.SealProfile("EUC1:", "end-user certificate", algorithms=frozenset({pki.Algorithm.ES256}))
    result = verify(ed.seal(), ed.store, profiles=[strict])
    assert result.verdict is Verdict.MALFORMED and result.codes == [ReasonCode.ALGORITHM_NOT_ALLOWED]


def test_algorithm_that_does_not_fit_the_key_is_invalid_signature() -> None:
    mx, ed = authority("MX"), authority("MX", pki.Algorithm.EDDSA)
    # An EdDSA signature naming an ES256 signer: the algorithm is allowed but the key cannot make it.
    forged = forge(claims_for(), ed.signer.key, protected={1: -8, 4: mx.signer.kid})
    result = verify(codec.pack(forged, codec.EUC), mx.store)
    assert result.verdict is Verdict.INVALID_SIGNATURE
    assert result.codes == [ReasonCode.KEY_ALGORITHM_MISMATCH]


def test_decompression_bomb_is_refused_with_a_reason() -> None:
    bomb = zlib.compress(b"\0" * 2_500_000, 9)
    text = "EUC1:" + codec.b45encode(bomb)
    assert len(text) < codec.MAX_TEXT_LENGTH  # it would fit a QR code
    result = verify(text, authority("MX").store)
    assert result.verdict is Verdict.MALFORMED
    assert result.codes == [ReasonCode.DECOMPRESSED_TOO_LARGE]
    assert "decompression bomb" in result.reasons[0]
    with pytest.raises(codec.SealError):
        codec.decompress(bomb, 1000)


def test_over_long_text_is_refused_before_decoding() -> None:
    result = verify("EUC1:" + "0" * 10_000, authority("MX").store)
    assert result.verdict is Verdict.MALFORMED
    assert result.codes == [ReasonCode.TEXT_TOO_LONG]
    assert result.stage is Stage.INPUT


def test_empty_and_non_text_input() -> None:
    store = authority("MX").store
    assert verify("", store).verdict is Verdict.NO_SEAL_FOUND
    assert verify(" \n\t", store).verdict is Verdict.NO_SEAL_FOUND
    for thing in (None, b"EUC1:", 42, ["EUC1:"]):
        result = verify(thing, store)
        assert result.verdict is Verdict.MALFORMED and result.codes == [ReasonCode.NOT_TEXT]


def test_whitespace_a_scanner_adds_is_ignored() -> None:
    mx = authority("MX")
    assert verify(f"  {mx.seal()}\r\n", mx.store).valid


def test_lower_case_base45_is_refused() -> None:
    mx = authority("MX")
    text = mx.seal()
    result = verify("EUC1:" + text[5:].lower(), mx.store)
    assert result.verdict is Verdict.MALFORMED and result.codes == [ReasonCode.BASE45_INVALID]


def test_bytes_after_the_zlib_stream_are_refused() -> None:
    mx = authority("MX")
    cose = codec.unpack(mx.seal(), codec.EUC)
    text = "EUC1:" + codec.b45encode(zlib.compress(cose) + b"\x00")
    assert verify(text, mx.store).codes == [ReasonCode.ZLIB_INVALID]


def test_bytes_after_the_cose_are_refused() -> None:
    mx = authority("MX")
    cose = codec.unpack(mx.seal(), codec.EUC)
    assert verify(codec.pack(cose + b"\x00", codec.EUC), mx.store).codes == [ReasonCode.CBOR_INVALID]


def test_cose_structure_is_checked() -> None:
    mx = authority("MX")
    untagged = forge(claims_for(), mx.signer.key, protected=es256_header(mx.signer), tag=None)
    assert verify(codec.pack(untagged, codec.EUC), mx.store).codes == [ReasonCode.COSE_INVALID]
    other_tag = forge(claims_for(), mx.signer.key, protected=es256_header(mx.signer), tag=98)
    assert verify(codec.pack(other_tag, codec.EUC), mx.store).codes == [ReasonCode.CBOR_INVALID]
    three = cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b""]))
    assert verify(codec.pack(three, codec.EUC), mx.store).codes == [ReasonCode.COSE_INVALID]
    crit = forge(claims_for(), mx.signer.key, protected={1: -7, 2: [99], 4: mx.signer.kid})
    assert verify(codec.pack(crit, codec.EUC), mx.store).codes == [ReasonCode.COSE_INVALID]
    cwt_wrapped = cbor2.dumps(
        cbor2.CBORTag(61, cbor2.loads(forge(claims_for(), mx.signer.key, protected=es256_header(mx.signer))))
    )
    assert verify(codec.pack(cwt_wrapped, codec.EUC), mx.store).valid


@pytest.mark.parametrize(
    ("claims_bytes", "why"),
    [
        (cbor2.dumps([1, 2, 3]), "not a map"),
        (b"\xa2\x01\x62MX\x01\x62CO", "duplicate key (iss twice)"),
        (cbor2.dumps({1: "MX", 6: "yesterday", 4: 2_000_000_000, -65537: {}}), "iat not a number"),
        (cbor2.dumps({1: "MX", 6: True, 4: 2_000_000_000, -65537: {}}), "iat a boolean"),
        (cbor2.dumps({1: "MX", 6: 1_700_000_000, -65537: {}}), "no exp"),
        (cbor2.dumps({1: "MX", 6: 1_800_000_000, 4: 1_700_000_000, -65537: {}}), "exp before iat"),
        (cbor2.dumps({1: "MX", 6: 1_700_000_000, 4: 10**20, -65537: {}}), "exp out of range"),
        (cbor2.dumps({1: 7, 6: 1_700_000_000, 4: 1_800_000_000, -65537: {}}), "iss not text"),
        (cbor2.dumps({1: "MX", 6: 1_700_000_000, 4: 1_800_000_000}), "no document"),
        (cbor2.dumps({1: "MX", 6: 1_700_000_000, 4: 1_800_000_000, -65537: [1]}), "document not a map"),
        (cbor2.dumps({1: "MX", 6: 1_700_000_000, 4: 1_800_000_000, -65537: cbor2.CBORTag(35, "a+")}), "regex tag"),
        (SHARED_CYCLE, "self-referencing shared value"),
    ],
)
def test_signed_but_invalid_claims_are_malformed(claims_bytes: bytes, why: str) -> None:
    mx = authority("MX")
    forged = forge(claims_bytes, mx.signer.key, protected=es256_header(mx.signer))
    result = verify(codec.pack(forged, codec.EUC), mx.store, now=T0)
    assert result.verdict is Verdict.MALFORMED, why
    assert result.codes == [ReasonCode.CLAIMS_INVALID], why


def test_issuer_must_be_the_signers_authority() -> None:
    mx = authority("MX")
    result = verify(mx.seal(issuer="CO"), mx.bound_store)
    assert result.verdict is Verdict.UNKNOWN_SIGNER and result.codes == [ReasonCode.ISSUER_MISMATCH]
    assert verify(mx.seal(), mx.bound_store).valid


def test_signer_certificate_must_be_valid_now() -> None:
    mx = authority("MX")
    text = mx.seal(lifetime=5000 * DAY)
    late = mx.signer.certificate.not_valid_after_utc + DAY
    result = verify(text, mx.store, now=late)
    assert result.verdict is Verdict.SIGNER_NOT_VALID and result.codes == [ReasonCode.SIGNER_EXPIRED]


def test_seal_dated_outside_the_key_usage_period_is_refused() -> None:
    mx = authority("MX")
    _, usage_end = pki.key_usage_period(mx.signer.certificate)
    assert usage_end is not None
    late_seal = mx.seal(issued_at=usage_end + DAY, lifetime=30 * DAY)
    result = verify(late_seal, mx.store, now=usage_end + 2 * DAY)
    assert result.verdict is Verdict.SIGNER_NOT_VALID
    assert result.codes == [ReasonCode.SIGNED_OUTSIDE_KEY_PERIOD]
    # Signed inside the period, the seal outlives it: that is what the overlap is for.
    early_seal = mx.seal(issued_at=usage_end - DAY, lifetime=400 * DAY)
    assert verify(early_seal, mx.store, now=usage_end + 300 * DAY).valid


def test_signer_without_document_signing_usage_is_refused() -> None:
    root = authority("MX").root
    key = ec.generate_private_key(ec.SECP256R1())
    # A certificate of the same root without the attkit document-signing EKU (e.g. a TLS certificate).
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "web server")]))
        .issuer_name(root.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(T0 - DAY)
        .not_valid_after(T0 + 400 * DAY)
        .sign(root.key, hashes.SHA256())
    )
    signer = codec.Signer(key, cert)
    text = codec.encode(dict(GOODS_PAYLOAD), signer=signer, issuer="MX", issued_at=T0, expires_at=T0 + 30 * DAY)
    result = verify(text, TrustStore.from_certificates([cert]))
    assert result.verdict is Verdict.SIGNER_NOT_VALID and result.codes == [ReasonCode.SIGNER_NOT_AUTHORISED]
    # The DCC profile requires no EKU, so the same signer passes there.
    hc = codec.encode(
        dict(GOODS_PAYLOAD), signer=signer, issuer="MX", issued_at=T0, expires_at=T0 + 30 * DAY, profile=codec.HCERT
    )
    assert verify(hc, TrustStore.from_certificates([cert]), profiles=[codec.HCERT]).valid


def test_revoked_signer() -> None:
    mx = authority("MX")
    revoked = TrustStore([TrustedSigner.from_certificate(mx.signer.certificate, status=SignerStatus.REVOKED)])
    result = verify(mx.seal(), revoked)
    assert result.verdict is Verdict.SIGNER_REVOKED and result.codes == [ReasonCode.SIGNER_REVOKED]
    retired = TrustStore([TrustedSigner.from_certificate(mx.signer.certificate, status=SignerStatus.RETIRED)])
    assert verify(mx.seal(), retired).valid


def test_every_problem_after_the_signature_is_reported_first_decides() -> None:
    mx = authority("MX")
    revoked = TrustStore([TrustedSigner.from_certificate(mx.signer.certificate, status=SignerStatus.REVOKED)])
    result = verify(mx.seal(lifetime=DAY), revoked, now=mx.signer.certificate.not_valid_after_utc + DAY)
    assert result.codes == [ReasonCode.EXPIRED, ReasonCode.SIGNER_EXPIRED, ReasonCode.SIGNER_REVOKED]
    assert result.verdict is Verdict.EXPIRED
    assert len(result.reasons) == 3


def test_kid_collision_tries_every_candidate() -> None:
    mx, co = authority("MX"), authority("CO")
    store = TrustStore.from_mapping({mx.signer.kid: [co.signer.certificate, mx.signer.certificate]})
    result = verify(mx.seal(), store)
    assert result.valid
    assert result.signer is not None and result.signer.fingerprint == pki.fingerprint(mx.signer.certificate)


def test_encode_refuses_what_would_not_verify() -> None:
    signer = codec.Signer.from_pair(authority("MX").signer)
    with pytest.raises(ValueError, match="expire after"):
        codec.encode({}, signer=signer, issuer="MX", issued_at=T0, expires_at=T0)
    with pytest.raises(ValueError, match="timezone"):
        codec.encode({}, signer=signer, issuer="MX", issued_at=T0.replace(tzinfo=None), expires_at=T0 + DAY)
    with pytest.raises(ValueError, match="map"):
        codec.encode([1, 2], signer=signer, issuer="MX", issued_at=T0, expires_at=T0 + DAY)
    noise = random.Random(1).randbytes(4000)  # incompressible, so the text outgrows a QR code
    with pytest.raises(ValueError, match="holds"):
        codec.encode({"x": noise}, signer=signer, issuer="MX", issued_at=T0, expires_at=T0 + DAY)
    with pytest.raises(ValueError, match="does not belong"):
        codec.Signer(authority("CO").signer.key, authority("MX").signer.certificate)


def test_verify_needs_an_aware_clock() -> None:
    with pytest.raises(ValueError, match="timezone"):
        codec.verify("EUC1:", TrustStore(), now=NOW.replace(tzinfo=None))


def test_every_reason_code_has_a_stage_a_verdict_and_a_sentence() -> None:
    for code in ReasonCode:
        assert isinstance(codec.reason_stage(code), Stage)
        assert isinstance(codec.reason_verdict(code), Verdict)
    error = codec.SealError(ReasonCode.EXPIRED, expires_at="2026-01-01")
    assert str(error) == "The seal expired on 2026-01-01."


def test_a_fresh_authority_does_not_trust_another_one() -> None:
    a, b = make_authority("MX"), make_authority("MX")
    assert verify(a.seal(), b.store).verdict is Verdict.UNKNOWN_SIGNER


@given(st.binary(max_size=300))
def test_base45_matches_the_reference_implementation(data: bytes) -> None:
    text = codec.b45encode(data)
    assert text == base45.b45encode(data).decode("ascii")
    assert codec.b45decode(text) == data


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:abc\n", max_size=60))
def test_base45_decoder_agrees_with_the_reference_on_any_text(text: str) -> None:
    try:
        expected: bytes | None = base45.b45decode(text) if "\n" not in text else None
    except ValueError:
        expected = None
    try:
        ours: bytes | None = codec.b45decode(text)
    except codec.SealError:
        ours = None
    assert ours == expected
