"""Trust lists: export, import with pinning, tampering, rollback, and what verification then trusts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from attkit.core.models import AuditEvent
from attkit.seals import pki, services, trustlist, verification
from attkit.seals.models import ImportedTrustList
from attkit.seals.verification import Verdict

from .helpers import foreign_state

pytestmark = pytest.mark.django_db


def test_export_is_a_signed_list_of_the_authority_signers_and_revocations(authority):
    mx = authority("MX")
    signer = services.ensure_authority_keys(mx)
    services.revoke_serial(mx, "MX-EUC-2026-000001-7", "forged copy in circulation")
    data = services.export_trust_list(mx)
    root = services.active_root(mx)
    assert root is not None
    parsed = trustlist.parse_trust_list(data, services.certificate_of(root))
    assert parsed.authority == "MX"
    assert [e.kid.hex() for e in parsed.signers] == [signer.kid]
    assert parsed.revoked_serials == frozenset({"MX-EUC-2026-000001-7"})
    assert AuditEvent.objects.filter(kind="trust:export", authority=mx).exists()


def test_a_foreign_seal_is_unknown_until_its_list_is_imported_and_pinned(authority, verifier, admin_of):
    de = authority("DE")
    co = foreign_state("CO")
    text = co.seal(serial="CO-EUC-1")
    official = verifier("DE")
    assert verification.verify_text(text, user=official).verdict is Verdict.UNKNOWN_SIGNER

    unpinned = services.import_trust_list(co.trust_list(), into=de, by=admin_of("DE"))
    assert unpinned.pinned is False
    assert verification.verify_text(text, user=official).verdict is Verdict.UNKNOWN_SIGNER

    pinned = services.import_trust_list(co.trust_list(), into=de, by=admin_of("DE"), fingerprint=co.fingerprint)
    assert pinned.pinned is True and pinned.issuer_code == "CO"
    unpinned.refresh_from_db()
    assert unpinned.is_current is False
    result = verification.verify_text(text, user=official)
    assert result.verdict is Verdict.VALID, result.reasons
    assert result.issuer == "CO" and result.serial == "CO-EUC-1"


def test_trust_belongs_to_the_importing_authority(authority, verifier):
    de = authority("DE")
    authority("CR")
    co = foreign_state("CO")
    services.import_trust_list(co.trust_list(), into=de, by=None, fingerprint=co.fingerprint)
    text = co.seal()
    assert verification.verify_text(text, user=verifier("DE")).valid
    assert verification.verify_text(text, user=verifier("CR")).verdict is Verdict.UNKNOWN_SIGNER


def test_fingerprints_are_accepted_with_colons_and_a_wrong_one_is_refused(authority):
    de = authority("DE")
    co = foreign_state("CO")
    other = foreign_state("CO")
    with pytest.raises(ValidationError) as caught:
        services.import_trust_list(co.trust_list(), into=de, by=None, fingerprint=other.fingerprint)
    assert "fingerprint" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.import_trust_list(co.trust_list(), into=de, by=None, fingerprint="not-hex")
    colons = ":".join(co.fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    assert services.import_trust_list(co.trust_list(), into=de, by=None, fingerprint=colons).pinned


def test_a_later_list_from_the_pinned_root_stays_pinned_but_another_root_needs_a_fingerprint(authority):
    de = authority("DE")
    co = foreign_state("CO")
    now = timezone.now()
    services.import_trust_list(
        co.trust_list(issued_at=now - timedelta(days=2)), into=de, by=None, fingerprint=co.fingerprint
    )
    later = services.import_trust_list(co.trust_list(issued_at=now - timedelta(days=1)), into=de, by=None)
    assert later.pinned
    impostor = foreign_state("CO")
    with pytest.raises(ValidationError) as caught:
        services.import_trust_list(impostor.trust_list(), into=de, by=None)
    assert "different root" in " ".join(caught.value.messages)
    # A state that really changed its root: its operator confirms the new fingerprint.
    assert services.import_trust_list(impostor.trust_list(), into=de, by=None, fingerprint=impostor.fingerprint).pinned


def test_an_older_list_is_refused_so_revocations_cannot_be_rolled_back(authority):
    de = authority("DE")
    co = foreign_state("CO")
    now = timezone.now()
    services.import_trust_list(
        co.trust_list(issued_at=now - timedelta(hours=1), revoked_serials=("CO-EUC-9",)),
        into=de,
        by=None,
        fingerprint=co.fingerprint,
    )
    with pytest.raises(ValidationError, match="older"):
        services.import_trust_list(co.trust_list(issued_at=now - timedelta(days=3)), into=de, by=None)


def test_importing_the_same_list_twice_changes_nothing(authority):
    de = authority("DE")
    co = foreign_state("CO")
    data = co.trust_list()
    first = services.import_trust_list(data, into=de, by=None, fingerprint=co.fingerprint)
    second = services.import_trust_list(data, into=de, by=None)
    assert first.pk == second.pk
    assert ImportedTrustList.objects.for_authority(de).count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda doc: doc["signers"][0].update(status="retired"),
        lambda doc: doc["revoked_serials"].clear(),
        lambda doc: doc.update(issued_at="2099-01-01T00:00:00Z"),
        lambda doc: doc.update(signature=doc["signature"][:-4] + "AAAA"),
        lambda doc: doc.pop("signature"),
    ],
    ids=["status", "revocations", "date", "signature", "unsigned"],
)
def test_a_tampered_list_is_refused_and_nothing_is_stored(authority, tamper):
    de = authority("DE")
    co = foreign_state("CO")
    document = json.loads(co.trust_list(revoked_serials=("CO-EUC-9",)))
    tamper(document)
    with pytest.raises(ValidationError):
        services.import_trust_list(json.dumps(document).encode(), into=de, by=None, fingerprint=co.fingerprint)
    assert not ImportedTrustList.objects.exists()


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[]", b'{"root": 5}', b'{"root": "AAAA"}', b"{" * 100_000, b" " * (3 * 1024 * 1024)],
    ids=["empty", "text", "array", "root-number", "root-garbage", "deep", "huge"],
)
def test_garbage_is_refused_with_a_message(authority, data):
    with pytest.raises(ValidationError):
        services.import_trust_list(data, into=authority("DE"), by=None)


def test_a_list_with_a_root_swapped_for_the_attackers_is_refused(authority):
    co = foreign_state("CO")
    attacker = foreign_state("CO")
    document = json.loads(co.trust_list())
    document["root"] = pki.certificate_b64(attacker.root.certificate)
    with pytest.raises(ValidationError):
        services.import_trust_list(
            json.dumps(document).encode(), into=authority("DE"), by=None, fingerprint=attacker.fingerprint
        )


def test_own_list_cannot_be_imported(authority):
    mx = authority("MX")
    with pytest.raises(ValidationError, match="own"):
        services.import_trust_list(services.export_trust_list(mx), into=mx, by=None)


def test_revocations_in_an_imported_list_apply(authority, verifier):
    de = authority("DE")
    co = foreign_state("CO")
    revoked = co.seal(serial="CO-EUC-9")
    fine = co.seal(serial="CO-EUC-10")
    services.import_trust_list(
        co.trust_list(revoked_serials=("CO-EUC-9",)), into=de, by=None, fingerprint=co.fingerprint
    )
    official = verifier("DE")
    result = verification.verify_text(revoked, user=official)
    assert result.verdict is Verdict.REVOKED
    assert "document_revoked" in result.reason_codes
    assert verification.verify_text(fine, user=official).valid


def test_a_signer_revoked_in_the_list_does_not_verify(authority, verifier):
    de = authority("DE")
    co = foreign_state("CO")
    data = co.trust_list(revoked_kids=(pki.compute_kid(co.signer.certificate),))
    services.import_trust_list(data, into=de, by=None, fingerprint=co.fingerprint)
    assert verification.verify_text(co.seal(), user=verifier("DE")).verdict is Verdict.SIGNER_REVOKED


def test_a_stale_list_still_verifies_but_warns(authority, verifier):
    de = authority("DE")
    co = foreign_state("CO")
    data = co.trust_list(issued_at=timezone.now() - timedelta(days=9), next_update=timedelta(days=1))
    services.import_trust_list(data, into=de, by=None, fingerprint=co.fingerprint)
    result = verification.verify_text(co.seal(), user=verifier("DE"))
    assert result.valid
    assert any("out of date" in w for w in result.warnings)


def test_import_needs_trust_manage_in_the_importing_authority(authority, admin_of, verifier):
    de = authority("DE")
    co = foreign_state("CO")
    with pytest.raises(PermissionDenied):
        services.import_trust_list(co.trust_list(), into=de, by=verifier("DE"))
    with pytest.raises(PermissionDenied):
        services.import_trust_list(co.trust_list(), into=de, by=admin_of("MX"))
    row = services.import_trust_list(co.trust_list(), into=de, by=admin_of("DE"), fingerprint=co.fingerprint)
    event = AuditEvent.objects.get(kind="trust:import", target_id=str(row.pk))
    assert event.payload["pinned_by_operator"] is True


def test_a_hosted_authority_exchange_round_trip(authority, verifier):
    """MX exports, DE imports pinned: DE's officials verify MX's seals (also trusted as a hosted authority)."""
    mx, de = authority("MX"), authority("DE")
    services.ensure_authority_keys(mx)
    root = services.active_root(mx)
    assert root is not None
    row = services.import_trust_list(services.export_trust_list(mx), into=de, by=None, fingerprint=root.fingerprint)
    assert row.pinned and row.issuer_code == "MX" and len(row.signers) == 1
    text = services.seal(mx, "EUC1:", {"serial": "MX-1"}, expires_at=None)
    assert verification.verify_text(text, user=verifier("DE")).valid
