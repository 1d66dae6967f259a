"""Authority roots, document signers, rotation, certificate loading and private key files."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from attkit.seals import codec, pki
from attkit.seals.codec import ReasonCode, Verdict
from attkit.seals.truststore import TrustStore
from tests.seals.seal_helpers import DAY, T0, authority, make_authority


@pytest.mark.parametrize("alg", list(pki.Algorithm))
def test_root_and_signer_have_the_right_extensions(alg: pki.Algorithm) -> None:
    mx = authority("MX", alg)
    root, signer = mx.root.certificate, mx.signer.certificate
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    root_usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert root_usage.key_cert_sign and root_usage.crl_sign
    assert signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    signer_usage = signer.extensions.get_extension_for_class(x509.KeyUsage)
    assert signer_usage.critical and signer_usage.value.digital_signature and not signer_usage.value.key_cert_sign
    assert pki.DOCUMENT_SIGNING_EKU in signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    start, end = pki.key_usage_period(signer)
    assert start == signer.not_valid_before_utc
    assert end == start + pki.DEFAULT_SIGNER_POLICY.key_usage_period
    assert signer.not_valid_after_utc - signer.not_valid_before_utc == pki.DEFAULT_SIGNER_POLICY.certificate_validity
    assert pki.algorithm_for_key(signer.public_key()) is alg  # type: ignore[arg-type]


def test_kid_is_the_first_eight_bytes_of_the_sha256_of_the_der() -> None:
    cert = authority("MX").signer.certificate
    der = cert.public_bytes(serialization.Encoding.DER)
    assert pki.compute_kid(cert) == hashlib.sha256(der).digest()[:8]
    assert len(pki.compute_kid(cert)) == 8


def test_signer_chains_to_its_root_only() -> None:
    mx, co = authority("MX"), authority("CO")
    inside = T0 + 30 * DAY
    assert pki.chains_to(mx.signer.certificate, mx.root.certificate, at=inside)
    assert not pki.chains_to(mx.signer.certificate, co.root.certificate, at=inside)
    problems = pki.chain_problems(mx.signer.certificate, co.root.certificate, at=inside)
    assert problems == ["The certificate was not issued and signed by this root."]


def test_chain_checks_validity_at_the_moment() -> None:
    mx = authority("MX")
    before = mx.signer.certificate.not_valid_before_utc - DAY
    after = mx.signer.certificate.not_valid_after_utc + DAY
    assert any(
        "not valid before" in p for p in pki.chain_problems(mx.signer.certificate, mx.root.certificate, at=before)
    )
    assert any("expired" in p for p in pki.chain_problems(mx.signer.certificate, mx.root.certificate, at=after))
    assert pki.chains_to(mx.signer.certificate, mx.root.certificate, at=None)  # signature and flags only


def test_a_root_is_not_a_document_signer_and_a_signer_is_not_a_root() -> None:
    mx = authority("MX")
    at = T0 + DAY
    assert "The certificate is not a document-signer certificate." in pki.chain_problems(
        mx.root.certificate, mx.root.certificate, at=at
    )
    other = pki.issue_signer(mx.root, common_name="second", not_before=T0)
    assert "The root is not a certification authority allowed to sign certificates." in pki.chain_problems(
        other.certificate, mx.signer.certificate, at=at
    )


def test_signer_may_not_outlive_its_root() -> None:
    mx = authority("MX")
    late = mx.root.certificate.not_valid_after_utc - 100 * DAY
    with pytest.raises(ValueError, match="outlive"):
        pki.issue_signer(mx.root, common_name="too late", not_before=late)


def test_rotation_overlap() -> None:
    """A new signer is issued before the old one's key period ends; seals of both verify meanwhile."""
    mx = make_authority("MX")
    policy = pki.SignerPolicy(key_usage_period=365 * DAY, max_document_lifetime=730 * DAY)
    first = pki.issue_signer(mx.root, common_name="DS 2026", not_before=T0, policy=policy)
    second = pki.issue_signer(mx.root, common_name="DS 2027", not_before=T0 + 335 * DAY, policy=policy)
    store = TrustStore.from_certificates([first.certificate, second.certificate])

    def seal(pair: pki.KeyPair, day: int) -> str:
        return codec.encode(
            {"n": f"MX-EUC-{day}"},
            signer=codec.Signer.from_pair(pair),
            issuer="MX",
            issued_at=T0 + day * DAY,
            expires_at=T0 + (day + 700) * DAY,
        )

    overlap = T0 + 350 * DAY
    assert pki.chains_to(first.certificate, mx.root.certificate, at=overlap)
    assert pki.chains_to(second.certificate, mx.root.certificate, at=overlap)
    assert codec.verify(seal(first, 340), store, now=overlap).valid
    assert codec.verify(seal(second, 340), store, now=overlap).valid
    # Long after the first key stopped signing, its seals still verify until they expire...
    assert codec.verify(seal(first, 360), store, now=T0 + 1000 * DAY).valid
    # ...but it cannot make new ones.
    late = codec.verify(seal(first, 400), store, now=T0 + 401 * DAY)
    assert late.verdict is Verdict.SIGNER_NOT_VALID and late.codes == [ReasonCode.SIGNED_OUTSIDE_KEY_PERIOD]
    assert codec.verify(seal(second, 400), store, now=T0 + 401 * DAY).valid


def test_load_certificate_detects_the_format() -> None:
    cert = authority("MX").signer.certificate
    der = cert.public_bytes(serialization.Encoding.DER)
    b64 = base64.b64encode(der).decode()
    wrapped = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    for form in (
        pki.certificate_pem(cert),
        pki.certificate_pem(cert).decode(),
        b"junk before\n" + pki.certificate_pem(cert),
        der,
        b64,
        wrapped,
        base64.urlsafe_b64encode(der).decode().rstrip("="),
    ):
        assert pki.load_certificate(form) == cert


@pytest.mark.parametrize(
    "junk",
    [b"", b"hello", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", b"\x30\x03\x02\x01", "é" * 10],
)
def test_load_certificate_refuses_junk(junk: bytes | str) -> None:
    with pytest.raises(pki.CertificateFormatError):
        pki.load_certificate(junk)


def test_load_certificate_refuses_huge_input() -> None:
    with pytest.raises(pki.CertificateFormatError, match="too large"):
        pki.load_certificate(b"A" * (pki.MAX_CERTIFICATE_BYTES + 1))


@pytest.mark.parametrize("alg", list(pki.Algorithm))
def test_raw_signatures(alg: pki.Algorithm) -> None:
    pair = authority("MX", alg).signer
    used, signature = pki.sign(pair.key, b"document")
    public = pair.certificate.public_key()
    assert used is alg
    assert pki.verify_signature(public, alg, b"document", signature)  # type: ignore[arg-type]
    assert not pki.verify_signature(public, alg, b"documenT", signature)  # type: ignore[arg-type]
    assert not pki.verify_signature(public, alg, b"document", signature[:-1])  # type: ignore[arg-type]
    if alg is pki.Algorithm.ES256:
        assert len(signature) == 64


def test_keys_attkit_does_not_use_are_refused() -> None:
    with pytest.raises(ValueError, match="curve"):
        pki.algorithm_for_key(ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(ValueError, match="2048"):
        pki.algorithm_for_key(rsa.generate_private_key(public_exponent=65537, key_size=1024))


def test_private_key_file_is_encrypted_and_owner_only(tmp_path: Path) -> None:
    key = authority("MX").signer.key
    path = tmp_path / "signer.pem"
    old_umask = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        pki.write_private_key(path, key, b"a long passphrase")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pem = path.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = pki.load_private_key(pem, b"a long passphrase")
    assert loaded.private_numbers() == key.private_numbers()  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        pki.load_private_key(pem, b"wrong passphrase")


def test_private_key_file_is_never_replaced_by_accident(tmp_path: Path) -> None:
    mx, co = authority("MX"), authority("CO")
    path = tmp_path / "signer.pem"
    pki.write_private_key(path, mx.signer.key, b"pass phrase one")
    with pytest.raises(FileExistsError):
        pki.write_private_key(path, co.signer.key, b"pass phrase two")
    assert pki.load_private_key(path.read_bytes(), b"pass phrase one").private_numbers() == (  # type: ignore[union-attr]
        mx.signer.key.private_numbers()  # type: ignore[union-attr]
    )
    pki.write_private_key(path, co.signer.key, b"pass phrase two", overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pki.load_private_key(path.read_bytes(), b"pass phrase two").private_numbers() == (  # type: ignore[union-attr]
        co.signer.key.private_numbers()  # type: ignore[union-attr]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signer.pem"]  # no temporary file left behind


def test_a_key_is_never_written_in_clear(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="passphrase"):
        pki.write_private_key(tmp_path / "k.pem", authority("MX").signer.key, b"")
    assert not (tmp_path / "k.pem").exists()


def test_certificate_file_round_trip(tmp_path: Path) -> None:
    cert = authority("MX").root.certificate
    pki.write_certificate(tmp_path / "root.pem", cert)
    assert pki.load_certificate((tmp_path / "root.pem").read_bytes()) == cert
