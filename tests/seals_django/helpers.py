"""Seal helpers for the Django-side tests: a foreign state that is not hosted here, tampering, QR files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import cbor2
from django.utils import timezone
from PIL import Image

from attkit.seals import codec, pki, qr, trustlist
from attkit.seals.truststore import SignerStatus


@dataclass
class ForeignState:
    """An authority on another deployment: its keys exist only here in the test, never in the database."""

    code: str
    root: pki.KeyPair
    signer: pki.KeyPair

    def seal(
        self,
        payload: dict[str, Any] | None = None,
        *,
        issued_at: datetime | None = None,
        lifetime: timedelta = timedelta(days=90),
        serial: str | None = None,
    ) -> str:
        issued = issued_at or timezone.now()
        extra = {7: serial.encode()} if serial else None
        return codec.encode(
            payload or {"serial": serial or f"{self.code}-EUC-1", "q": 10},
            signer=codec.Signer.from_pair(self.signer),
            issuer=self.code,
            issued_at=issued,
            expires_at=issued + lifetime,
            extra_claims=extra,
        )

    def trust_list(
        self,
        *,
        issued_at: datetime | None = None,
        revoked_serials: tuple[str, ...] = (),
        revoked_kids: tuple[bytes, ...] = (),
        root: pki.KeyPair | None = None,
        status: SignerStatus = SignerStatus.ACTIVE,
        next_update: timedelta = timedelta(days=30),
    ) -> bytes:
        issued = issued_at or timezone.now()
        return trustlist.build_trust_list(
            authority=self.code,
            root=root or self.root,
            signers=[trustlist.SignerEntry(self.signer.certificate, status)],
            issued_at=issued,
            next_update=issued + next_update,
            revoked_kids=revoked_kids,
            revoked_serials=revoked_serials,
        )

    @property
    def fingerprint(self) -> str:
        return pki.fingerprint(self.root.certificate)


def foreign_state(code: str = "CO") -> ForeignState:
    start = timezone.now() - timedelta(days=10)
    root = pki.create_root(
        country=code[:2], organization=f"{code} authority", common_name=f"{code} root", not_before=start
    )
    signer = pki.issue_signer(root, common_name=f"{code} signer", not_before=start)
    return ForeignState(code, root, signer)


def tamper(text: str, profile: codec.SealProfile = codec.EUC) -> str:
    """The same seal with one value of the document changed and the signature kept."""
    cose = codec.parse_cose(codec.unpack(text, profile))
    claims = cbor2.loads(cose.payload)
    document = claims[profile.payload_path[0]]
    document["tampered"] = 1
    forged = cbor2.dumps(
        cbor2.CBORTag(
            codec.COSE_SIGN1_TAG, [cose.protected_bytes, {}, cbor2.dumps(claims, canonical=True), cose.signature]
        )
    )
    return codec.pack(forged, profile)


def qr_png(text: str, scale: int = 4) -> bytes:
    return qr.make_qr(text, kind="png", scale=scale).data


def qr_jpeg(text: str) -> bytes:
    image = Image.open(io.BytesIO(qr_png(text))).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def qr_pdf(text: str | None) -> bytes:
    """A one-page PDF with the QR code on it (or a blank page)."""
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    if text is not None:
        code = Image.open(io.BytesIO(qr_png(text, scale=6))).convert("RGB")
        page.paste(code, (200, 200))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150)
    return buffer.getvalue()
