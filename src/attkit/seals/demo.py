"""Demo seals: keys for every demo authority, and each real state's trust list imported (pinned) by the others."""

from __future__ import annotations

from typing import Any

from attkit.core.models import Authority
from attkit.seals import services
from attkit.seals.models import CertificateRole, ImportedTrustList, SignerCertificate

DEMO_STATES = ("MX", "DE", "CR", "TT")
SANDBOX = ("XT",)


def _current_fingerprints(authority: Authority) -> set[str]:
    return set(
        SignerCertificate.objects.for_authority(authority)
        .filter(role=CertificateRole.SIGNER)
        .values_list("fingerprint", flat=True)
    )


def _up_to_date(into: Authority, issuer: Authority) -> bool:
    row = ImportedTrustList.objects.for_authority(into).filter(issuer_code=issuer.code, is_current=True).first()
    if row is None or not row.pinned:
        return False
    root = services.active_root(issuer)
    listed = {entry.get("fingerprint") for entry in row.signers or []}
    return root is not None and row.root_fingerprint == root.fingerprint and listed == _current_fingerprints(issuer)


def load(ctx: Any, quick: bool = False) -> None:
    """Ensure keys, then cross-import trust lists; running it again changes nothing that is already in place."""
    authorities = {code: a for code, a in ctx.authorities.items() if code in DEMO_STATES + SANDBOX}
    for authority in authorities.values():
        services.ensure_authority_keys(authority)
    states = [authorities[c] for c in DEMO_STATES if c in authorities]
    exported: dict[str, bytes] = {}
    for issuer in states:
        root = services.active_root(issuer)
        assert root is not None  # ensure_authority_keys made it
        for into in states:
            if into.pk == issuer.pk or _up_to_date(into, issuer):
                continue
            if issuer.code not in exported:
                exported[issuer.code] = services.export_trust_list(issuer)
            # On one deployment the operator knows each root: the demo pins it as a state would after a call.
            services.import_trust_list(exported[issuer.code], into=into, by=None, fingerprint=root.fingerprint)
    ctx.notes.append(
        f"seals: keys for {', '.join(sorted(authorities))}; trust lists of {', '.join(DEMO_STATES)} cross-imported"
    )
