"""Keys and certificates for seals: authority roots, document signers, kids, raw signatures, key files."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeGuard

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey

# A UUID-based OID (ITU-T X.667, arc 2.25) needs no registration, and the holder of the UUID
# may allocate arcs below it; attkit owns 2.25.<this uuid>.
ATTKIT_OID_ARC = "2.25.101322291192421316506791812654787324418"
DOCUMENT_SIGNING_EKU = x509.ObjectIdentifier(ATTKIT_OID_ARC + ".1.1")

KID_LENGTH = 8
MIN_RSA_BITS = 2048
RSA_BITS = 3072
ES256_SIGNATURE_LENGTH = 64
ROOT_VALIDITY = timedelta(days=15 * 365)


class Algorithm(StrEnum):
    """Signature algorithms, named as in COSE and JOSE, with raw signature formats shared by both."""

    ES256 = "ES256"
    EDDSA = "EdDSA"
    PS256 = "PS256"


class CertificateFormatError(ValueError):
    """Bytes that are not a certificate in PEM, DER or base64 DER."""


@dataclass(frozen=True)
class SignerPolicy:
    """How long a document signer signs, and how long the documents it signs may live.

    The certificate stays valid for the usage period plus the longest document lifetime, so a
    document signed on the last day of the usage period still verifies until it expires; a new
    signer is issued before the old one's usage period ends, which gives the overlap for rotation.
    """

    key_usage_period: timedelta = timedelta(days=365)
    max_document_lifetime: timedelta = timedelta(days=2 * 365)

    @property
    def certificate_validity(self) -> timedelta:
        """Validity of the signer certificate."""
        return self.key_usage_period + self.max_document_lifetime


DEFAULT_SIGNER_POLICY = SignerPolicy()


@dataclass(frozen=True)
class KeyPair:
    """A private key with the certificate of its public key."""

    key: PrivateKey
    certificate: x509.Certificate

    @property
    def kid(self) -> bytes:
        """The COSE key identifier of the certificate."""
        return compute_kid(self.certificate)


def generate_private_key(alg: Algorithm = Algorithm.ES256) -> PrivateKey:
    """A fresh private key for the algorithm: P-256, Ed25519 or RSA-3072."""
    if alg is Algorithm.ES256:
        return ec.generate_private_key(ec.SECP256R1())
    if alg is Algorithm.EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def algorithm_for_key(key: PrivateKey | PublicKey) -> Algorithm:
    """The signature algorithm attkit uses with this key; ValueError for keys it does not use."""
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return Algorithm.ES256
        raise ValueError(f"unsupported elliptic curve {key.curve.name}")
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return Algorithm.EDDSA
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"RSA keys need at least {MIN_RSA_BITS} bits")
        return Algorithm.PS256
    raise ValueError(f"unsupported key type {type(key).__name__}")


def usable_public_key(key: object) -> PublicKey | None:
    """The key if attkit can verify signatures with it (P-256, Ed25519, RSA of 2048 bits or more), else None."""
    if not isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
        return None
    try:
        algorithm_for_key(key)
    except ValueError:
        return None
    return key


def key_supports(public_key: object, alg: Algorithm) -> TypeGuard[PublicKey]:
    """Whether signatures of this algorithm can be checked with this public key."""
    usable = usable_public_key(public_key)
    return usable is not None and algorithm_for_key(usable) is alg


def _pss() -> padding.PSS:
    # RFC 8230 (COSE) and RFC 7518 (JOSE) fix the PSS salt at the hash length.
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def sign(key: PrivateKey, data: bytes) -> tuple[Algorithm, bytes]:
    """Sign data; the signature is in the raw COSE/JOSE form (r||s for ES256)."""
    alg = algorithm_for_key(key)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return alg, r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return alg, key.sign(data)
    return alg, key.sign(data, _pss(), hashes.SHA256())


def verify_signature(public_key: PublicKey, alg: Algorithm, data: bytes, signature: bytes) -> bool:
    """Whether signature (raw COSE/JOSE form) is a valid signature of data by public_key."""
    try:
        if alg is Algorithm.ES256 and isinstance(public_key, ec.EllipticCurvePublicKey):
            if len(signature) != ES256_SIGNATURE_LENGTH:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
            return True
        if alg is Algorithm.EDDSA and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
            return True
        if alg is Algorithm.PS256 and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, _pss(), hashes.SHA256())
            return True
    except (InvalidSignature, ValueError, UnsupportedAlgorithm):
        return False
    return False


def compute_kid(certificate: x509.Certificate) -> bytes:
    """The key identifier: the first 8 bytes of the SHA-256 of the certificate's DER (as in the EU DCC)."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest()[:KID_LENGTH]


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 fingerprint of the certificate's DER, lower-case hex."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def _name(country: str, organization: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _sign_certificate(builder: x509.CertificateBuilder, issuer_key: PrivateKey) -> x509.Certificate:
    if isinstance(issuer_key, ed25519.Ed25519PrivateKey):
        return builder.sign(issuer_key, None)
    if isinstance(issuer_key, rsa.RSAPrivateKey):
        return builder.sign(issuer_key, hashes.SHA256(), rsa_padding=_pss())
    return builder.sign(issuer_key, hashes.SHA256())


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def create_root(
    *,
    country: str,
    organization: str,
    common_name: str,
    not_before: datetime,
    validity: timedelta = ROOT_VALIDITY,
    alg: Algorithm = Algorithm.ES256,
    key: PrivateKey | None = None,
) -> KeyPair:
    """A self-signed authority root: CA, signs signer certificates and the authority's trust list."""
    key = key or generate_private_key(alg)
    start = _utc(not_before)
    name = _name(country, organization, common_name)
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            # digital_signature because the root signs the trust list itself (trustlist.py).
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    return KeyPair(key, _sign_certificate(builder, key))


def issue_signer(
    root: KeyPair,
    *,
    common_name: str,
    not_before: datetime,
    policy: SignerPolicy = DEFAULT_SIGNER_POLICY,
    alg: Algorithm = Algorithm.ES256,
    key: PrivateKey | None = None,
) -> KeyPair:
    """A document-signer certificate issued by the root, with its key usage period.

    The PrivateKeyUsagePeriod extension (as in ICAO 9303 document signers) says when the key may
    sign; the verifier refuses seals dated outside it, so a retired key cannot make new seals.
    """
    key = key or generate_private_key(alg)
    start = _utc(not_before)
    end = start + policy.certificate_validity
    if start < root.certificate.not_valid_before_utc or end > root.certificate.not_valid_after_utc:
        raise ValueError("the signer certificate would outlive or predate its root")
    subject_attrs = root.certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    org_attrs = root.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    country = str(subject_attrs[0].value) if subject_attrs else "XX"
    organization = str(org_attrs[0].value) if org_attrs else common_name
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(country, organization, common_name))
        .issuer_name(root.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU]), critical=False)
        .add_extension(x509.PrivateKeyUsagePeriod(start, start + policy.key_usage_period), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    return KeyPair(key, _sign_certificate(builder, root.key))


def key_usage_period(certificate: x509.Certificate) -> tuple[datetime | None, datetime | None]:
    """The PrivateKeyUsagePeriod of a certificate (UTC), or (None, None) when it has none."""
    try:
        period = certificate.extensions.get_extension_for_class(x509.PrivateKeyUsagePeriod).value
    except (x509.ExtensionNotFound, ValueError):
        return None, None
    start = period.not_before.replace(tzinfo=UTC) if period.not_before else None
    end = period.not_after.replace(tzinfo=UTC) if period.not_after else None
    return start, end


def is_document_signer(certificate: x509.Certificate, required_eku: x509.ObjectIdentifier | None) -> bool:
    """Whether the certificate may sign documents: not a CA, digitalSignature, and the EKU if one is required."""
    try:
        extensions = certificate.extensions
    except ValueError:
        return False
    try:
        if not extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
            return False
    except x509.ExtensionNotFound:
        pass  # RFC 5280: no KeyUsage extension means no restriction.
    try:
        if extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return False
    except x509.ExtensionNotFound:
        pass
    if required_eku is None:
        return True
    try:
        usages = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return required_eku in usages or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in usages


def chain_problems(certificate: x509.Certificate, root: x509.Certificate, *, at: datetime | None) -> list[str]:
    """Why the certificate does not chain to the root at a moment (signature, CA flags, validity); empty if it does.

    With at=None only the signature and the flags are checked, as for a retired signer kept in a
    trust list so that old documents still verify.
    """
    problems: list[str] = []
    try:
        certificate.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        problems.append("The certificate was not issued and signed by this root.")
    try:
        root_ca = root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        root_usage = root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    except (x509.ExtensionNotFound, ValueError):
        root_ca = root_usage = False
    if not (root_ca and root_usage):
        problems.append("The root is not a certification authority allowed to sign certificates.")
    if not is_document_signer(certificate, DOCUMENT_SIGNING_EKU):
        problems.append("The certificate is not a document-signer certificate.")
    if at is not None:
        moment = _utc(at)
        for cert, what in ((root, "root"), (certificate, "signer")):
            if moment < cert.not_valid_before_utc:
                problems.append(f"The {what} certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d}.")
            elif moment > cert.not_valid_after_utc:
                problems.append(f"The {what} certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}.")
    return problems


def chains_to(certificate: x509.Certificate, root: x509.Certificate, *, at: datetime | None) -> bool:
    """Whether chain_problems finds nothing."""
    return not chain_problems(certificate, root, at=at)


_PEM_RE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)
MAX_CERTIFICATE_BYTES = 64 * 1024


def load_certificate(data: bytes | str) -> x509.Certificate:
    """A certificate from PEM, DER or base64 DER, whichever it is; CertificateFormatError otherwise."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_CERTIFICATE_BYTES:
        raise CertificateFormatError("The certificate is too large.")
    try:
        if b"-----BEGIN" in raw:
            match = _PEM_RE.search(raw)
            if match is None:
                raise CertificateFormatError("The PEM text holds no certificate.")
            return x509.load_pem_x509_certificate(match.group(0))
        if raw[:1] == b"\x30":
            return x509.load_der_x509_certificate(raw)
        compact = re.sub(rb"\s+", b"", raw)
        try:
            der = base64.b64decode(compact, validate=True)
        except binascii.Error:
            der = base64.urlsafe_b64decode(compact + b"=" * (-len(compact) % 4))
        return x509.load_der_x509_certificate(der)
    except CertificateFormatError:
        raise
    except (ValueError, TypeError, binascii.Error) as exc:
        raise CertificateFormatError("The data is not a certificate in PEM, DER or base64 DER.") from exc


def certificate_b64(certificate: x509.Certificate) -> str:
    """Base64 (standard alphabet) of the certificate's DER, as trust lists carry it."""
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def certificate_pem(certificate: x509.Certificate) -> bytes:
    """PEM of the certificate."""
    return certificate.public_bytes(serialization.Encoding.PEM)


def private_key_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    """PKCS#8 PEM of the key, encrypted with the passphrase (an empty passphrase is refused)."""
    if not passphrase:
        raise ValueError("a private key is never written without a passphrase")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def load_private_key(data: bytes, passphrase: bytes) -> PrivateKey:
    """A private key from encrypted PEM; ValueError for a wrong passphrase or an unsupported key."""
    key = serialization.load_pem_private_key(data, password=passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    algorithm_for_key(key)
    return key


def _write_private_file(path: Path, content: bytes, *, overwrite: bool) -> None:
    if not overwrite:
        # O_EXCL: an existing key is never replaced by accident.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(content)
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates files 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private_key(
    path: str | os.PathLike[str], key: PrivateKey, passphrase: bytes, *, overwrite: bool = False
) -> None:
    """Write the key as encrypted PEM to a file readable by its owner only (mode 0600)."""
    _write_private_file(Path(path), private_key_pem(key, passphrase), overwrite=overwrite)


def write_certificate(path: str | os.PathLike[str], certificate: x509.Certificate) -> None:
    """Write the certificate as PEM."""
    Path(path).write_bytes(certificate_pem(certificate))
