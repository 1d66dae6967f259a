"""The signer certificates a verifier trusts, looked up by kid, with their parsed keys cached."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from attkit.seals import pki


class SignerStatus(StrEnum):
    """What the signer's authority says of it: active signs, retired only verifies old seals, revoked never."""

    ACTIVE = "active"
    RETIRED = "retired"
    REVOKED = "revoked"


@dataclass(frozen=True, eq=False)
class TrustedSigner:
    """One trusted document-signer certificate, parsed once so that verifying a seal costs one signature check."""

    certificate: x509.Certificate
    kid: bytes
    public_key: pki.PublicKey | None  # None when attkit cannot use the key (unsupported type or size)
    alg: pki.Algorithm | None  # the one algorithm the key signs with, None with public_key
    status: SignerStatus
    authority: str | None  # issuer code (the iss claim) this signer may sign for; None accepts any
    fingerprint: str
    subject: str
    not_before: datetime
    not_after: datetime
    usage_from: datetime | None
    usage_until: datetime | None
    ekus: frozenset[str] | None  # dotted OIDs of ExtendedKeyUsage, None when the extension is absent
    signs_documents: bool  # KeyUsage and BasicConstraints allow document signing

    @classmethod
    def from_certificate(
        cls,
        certificate: x509.Certificate,
        *,
        kid: bytes | None = None,
        status: SignerStatus = SignerStatus.ACTIVE,
        authority: str | None = None,
    ) -> TrustedSigner:
        """Wrap a certificate; kid defaults to the one computed from it."""
        try:
            public_key = pki.usable_public_key(certificate.public_key())
        except (ValueError, UnsupportedAlgorithm):  # a key cryptography cannot even parse
            public_key = None
        usage_from, usage_until = pki.key_usage_period(certificate)
        try:
            ekus: frozenset[str] | None = frozenset(
                oid.dotted_string for oid in certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            )
        except (x509.ExtensionNotFound, ValueError):
            ekus = None
        return cls(
            certificate=certificate,
            kid=pki.compute_kid(certificate) if kid is None else kid,
            public_key=public_key,
            alg=None if public_key is None else pki.algorithm_for_key(public_key),
            status=status,
            authority=authority,
            fingerprint=pki.fingerprint(certificate),
            subject=certificate.subject.rfc4514_string(),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            usage_from=usage_from,
            usage_until=usage_until,
            ekus=ekus,
            signs_documents=pki.is_document_signer(certificate, None),
        )

    def allows_eku(self, required: x509.ObjectIdentifier | None) -> bool:
        """Whether the certificate carries the extended key usage a seal profile requires."""
        if required is None:
            return True
        return self.ekus is not None and _dotted(required) in self.ekus


@cache
def _dotted(oid: x509.ObjectIdentifier) -> str:
    return oid.dotted_string  # computed anew on each access by cryptography; profiles ask on every seal


class TrustStore(Mapping[bytes, tuple[TrustedSigner, ...]]):
    """kid -> candidate signers. Several candidates share a kid only by accident or by a kid collision attack,
    so the codec tries each and keeps the one whose signature verifies."""

    def __init__(self, signers: Iterable[TrustedSigner] = ()) -> None:
        index: dict[bytes, list[TrustedSigner]] = {}
        for signer in signers:
            bucket = index.setdefault(signer.kid, [])
            if all(other.fingerprint != signer.fingerprint for other in bucket):
                bucket.append(signer)
        self._index = {kid: tuple(bucket) for kid, bucket in index.items()}

    @classmethod
    def from_certificates(
        cls,
        certificates: Iterable[x509.Certificate],
        *,
        authority: str | None = None,
    ) -> TrustStore:
        """A store of certificates under their computed kids."""
        return cls(TrustedSigner.from_certificate(cert, authority=authority) for cert in certificates)

    @classmethod
    def from_mapping(cls, mapping: Mapping[bytes, Sequence[x509.Certificate]]) -> TrustStore:
        """A store from kid -> certificates, keeping the given kids (as trust lists of other systems publish them)."""
        return cls(TrustedSigner.from_certificate(cert, kid=kid) for kid, certs in mapping.items() for cert in certs)

    def merged(self, *others: TrustStore) -> TrustStore:
        """A new store with the signers of this one and of the others."""
        return TrustStore([*self.signers(), *(signer for other in others for signer in other.signers())])

    def signers(self) -> Iterator[TrustedSigner]:
        """Every signer in the store."""
        for bucket in self._index.values():
            yield from bucket

    def __getitem__(self, kid: bytes) -> tuple[TrustedSigner, ...]:
        return self._index[kid]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)
