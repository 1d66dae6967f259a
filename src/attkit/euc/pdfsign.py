"""PAdES signatures on printed certificates (pyHanko), with the authority's document-signer key.

`signer_for_pdf` belongs in attkit.seals.services; until it exists there it is built here from the
seals use cases (active signer, its key pair and its root).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

if TYPE_CHECKING:
    from attkit.core.models import Authority
    from attkit.seals.pki import PrivateKey


@dataclass(frozen=True)
class PdfSigner:
    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def signer_for_pdf(authority: Authority) -> PdfSigner:
    """The authority's active document signer: key, certificate and the chain up to its root."""
    from attkit.seals import services as seals

    fn = getattr(seals, "signer_for_pdf", None)
    if fn is not None:
        key, cert, given = fn(authority)
        return PdfSigner(key, cert, tuple(given))
    row = seals.ensure_authority_keys(authority)
    pair = seals.key_pair(row)
    chain: list[x509.Certificate] = []
    if row.issuer_id is not None and row.issuer is not None:
        chain.append(seals.certificate_of(row.issuer))
    return PdfSigner(pair.key, pair.certificate, tuple(chain))


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def sign_pdf(pdf: bytes, signer: PdfSigner, *, reason: str, location: str, name: str) -> bytes:
    """The PDF with an invisible PAdES baseline signature (B-B) over the whole file."""
    key_der = signer.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    simple = signers.SimpleSigner(
        signing_cert=_asn1_cert(signer.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in signer.chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="AttkitSeal",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name,
        signer_key_usage={"digital_signature"},
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=simple)
    return out.getvalue()
