"""Keys, certificates and seal helpers shared by the pure seal tests (no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2

from attkit.seals import codec, pki
from attkit.seals.truststore import TrustStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)

GOODS_PAYLOAD: dict[str, Any] = {
    "n": "MX-EUC-2026-000123",
    "eu": "SEDENA",
    "ex": "DE",
    "g": [[1, "VIII.SA.4", "9301.90", 250, 0] for _ in range(3)],
}


@dataclass(frozen=True)
class Authority:
    """A root and one document signer, as an authority holds them."""

    root: pki.KeyPair
    signer: pki.KeyPair
    code: str

    @property
    def store(self) -> TrustStore:
        return TrustStore.from_certificates([self.signer.certificate])

    @property
    def bound_store(self) -> TrustStore:
        return TrustStore.from_certificates([self.signer.certificate], authority=self.code)

    def seal(
        self,
        payload: Mapping[str, Any] | None = None,
        *,
        issued_at: datetime = T0,
        lifetime: timedelta = 365 * DAY,
        profile: codec.SealProfile = codec.EUC,
        issuer: str | None = None,
    ) -> str:
        return codec.encode(
            dict(GOODS_PAYLOAD if payload is None else payload),
            signer=codec.Signer.from_pair(self.signer),
            issuer=issuer or self.code,
            issued_at=issued_at,
            expires_at=issued_at + lifetime,
            profile=profile,
        )


def make_authority(code: str, alg: pki.Algorithm = pki.Algorithm.ES256) -> Authority:
    root = pki.create_root(
        country=code[:2],
        organization=f"{code} authority",
        common_name=f"attkit root {code}",
        not_before=T0 - 30 * DAY,
        alg=alg,
    )
    signer = pki.issue_signer(root, common_name=f"{code} document signer 1", not_before=T0 - DAY, alg=alg)
    return Authority(root, signer, code)


_CACHE: dict[tuple[str, pki.Algorithm], Authority] = {}


def authority(code: str, alg: pki.Algorithm = pki.Algorithm.ES256) -> Authority:
    """One authority per code and algorithm for the whole session (RSA keys take a while to make)."""
    if (code, alg) not in _CACHE:
        _CACHE[code, alg] = make_authority(code, alg)
    return _CACHE[code, alg]


def forge(
    claims: Mapping[Any, Any] | bytes,
    key: pki.PrivateKey,
    *,
    protected: Mapping[int, Any] | None = None,
    unprotected: Mapping[int, Any] | None = None,
    tag: int | None = codec.COSE_SIGN1_TAG,
) -> bytes:
    """A COSE_Sign1 built by hand, to make seals the encoder refuses to make; signed with key over what is given."""
    payload = claims if isinstance(claims, bytes) else cbor2.dumps(dict(claims))
    protected_bytes = cbor2.dumps(dict(protected or {}))
    _, signature = pki.sign(key, codec.sig_structure(protected_bytes, payload))
    body = [protected_bytes, dict(unprotected or {}), payload, signature]
    return cbor2.dumps(body if tag is None else cbor2.CBORTag(tag, body))


def claims_for(payload: Mapping[str, Any] | None = None, *, iat: datetime = T0, days: int = 365) -> dict[int, Any]:
    return {
        codec.CLAIM_ISS: "MX",
        codec.CLAIM_IAT: int(iat.timestamp()),
        codec.CLAIM_EXP: int((iat + days * DAY).timestamp()),
        codec.ATTKIT_PAYLOAD_CLAIM: dict(GOODS_PAYLOAD if payload is None else payload),
    }


def es256_header(pair: pki.KeyPair) -> dict[int, Any]:
    return {codec.HEADER_ALG: -7, codec.HEADER_KID: pair.kid}
