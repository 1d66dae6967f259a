"""The demo: MX certificates in every state of their life, loaded idempotently."""

from __future__ import annotations

import pytest

from attkit.core.demo import DemoContext
from attkit.core.permissions import Role
from attkit.euc import demo
from attkit.euc.models import EndUserCertificate

pytestmark = pytest.mark.django_db


def test_demo_certificates_in_every_state(make_user, make_authority):
    ctx = DemoContext()
    ctx.authorities = {"MX": make_authority("MX"), "DE": make_authority("DE")}
    for username, code, role in (
        ("mx.licensing_officer", "MX", Role.LICENSING_OFFICER),
        ("mx.euc_issuer", "MX", Role.EUC_ISSUER),
        ("mx.supervisor", "MX", Role.SUPERVISOR),
        ("de.euc_verifier", "DE", Role.EUC_VERIFIER),
    ):
        ctx.users[username] = make_user(code, role, username=username)
    demo.load(ctx, quick=True)
    statuses = sorted(EndUserCertificate.objects.values_list("status", flat=True))
    assert statuses == ["closed", "draft", "issued", "partially_used", "revoked"]
    partial = EndUserCertificate.objects.get(status="partially_used")
    assert partial.uses.get().exporting_state == "DE"
    assert EndUserCertificate.objects.get(status="closed").delivery.seal_text.startswith("DVC1:")
    demo.load(ctx, quick=True)
    assert EndUserCertificate.objects.count() == 5


def test_demo_without_its_users_does_nothing(db):
    demo.load(DemoContext(), quick=True)
    assert not EndUserCertificate.objects.exists()
