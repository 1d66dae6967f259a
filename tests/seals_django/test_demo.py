"""The demo: keys for every demo authority and trust lists cross-imported, idempotently."""

from __future__ import annotations

import pytest

from attkit.core.demo import DemoContext
from attkit.seals import demo, services, verification
from attkit.seals.models import ImportedTrustList, SignerCertificate

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent(authority, verifier):
    ctx = DemoContext()
    for code in ("MX", "DE", "CR", "TT"):
        ctx.authorities[code] = authority(code)
    ctx.authorities["XT"] = authority("XT", is_sandbox=True)
    demo.load(ctx)
    lists = ImportedTrustList.objects.count()
    certificates = SignerCertificate.objects.count()
    assert lists == 12 and certificates == 10
    assert ImportedTrustList.objects.filter(
        authority__code="DE", issuer_code="MX", pinned=True, is_current=True
    ).exists()
    demo.load(ctx)
    assert ImportedTrustList.objects.count() == lists and SignerCertificate.objects.count() == certificates
    services.rotate_signer(ctx.authorities["MX"], by=None)
    demo.load(ctx)  # MX's list changed: the others import the new one
    assert ImportedTrustList.objects.filter(issuer_code="MX", is_current=True).count() == 3
    text = services.seal(ctx.authorities["MX"], "EUC1:", {"serial": "MX-1"}, expires_at=None)
    assert verification.verify_text(text, user=verifier("DE")).valid
