"""EUC parties are screened when added and as issued, and re-screened while the certificate is in force."""

from __future__ import annotations

import pytest

from attkit.euc import screening_link
from attkit.euc.models import EucParty, EucStatus
from attkit.screening import services as screening
from attkit.screening.loaders import UN_SAMPLE
from attkit.screening.models import ScreeningRun

pytestmark = pytest.mark.django_db(transaction=True)


def _party(certificate_status: str, name: str) -> EucParty:
    party = EucParty.objects.filter(certificate__status=certificate_status).select_related("certificate").first()
    assert party is not None, f"the demo has a {certificate_status} certificate"
    EucParty.objects.filter(pk=party.pk).update(name=name)
    party.refresh_from_db()
    return party


def test_valid_certificates_parties_are_rescreened_when_a_list_changes(tmp_path):
    from attkit.core import demo

    demo.load(quick=True)
    issued = _party(EucStatus.ISSUED, "Muammar Gaddafi")
    subjects = list(screening_link.valid_certificate_parties())
    ids = {s.subject_id for s in subjects}  # type: ignore[attr-defined]
    assert str(issued.pk) in ids
    closed = EucParty.objects.exclude(certificate__status__in=[EucStatus.ISSUED, EucStatus.PARTIALLY_USED]).first()
    if closed is not None:
        assert str(closed.pk) not in ids
    # a new version of a list re-screens the parties of certificates in force
    national = tmp_path / "national.csv"
    national.write_text("ref,name,schema\nX-1,Someone Else Entirely,person\n", encoding="utf-8")
    screening.load_list("csv", national, authority=issued.authority)
    national.write_text(
        "ref,name,schema\nX-1,Someone Else Entirely,person\nX-2,Another Person,person\n", encoding="utf-8"
    )
    screening.load_list("csv", national, authority=issued.authority)
    run = ScreeningRun.objects.filter(subject_type=screening_link.SUBJECT_TYPE, subject_id=str(issued.pk)).first()
    assert run is not None and run.hits.exists()
    assert screening.blocking_hits(issued.authority, screening_link.SUBJECT_TYPE, [str(issued.pk)])


def test_added_party_is_screened_after_commit(make_user):
    from attkit.core.permissions import Role
    from attkit.euc import services

    screening.load_list("un", UN_SAMPLE)
    drafter = make_user("MX", Role.EUC_ISSUER)
    euc = services.start_draft(by=drafter)
    party = services.add_party(
        euc.pk,
        by=drafter,
        data={
            "role": "end_user",
            "name": "Muammar Gaddafi",
            "address": "Calle 1, Ciudad",
            "country": "MX",
            "position": "x",
        },
    )
    run = ScreeningRun.objects.filter(subject_type=screening_link.SUBJECT_TYPE, subject_id=str(party.pk)).first()
    assert run is not None and run.hits.exists()
