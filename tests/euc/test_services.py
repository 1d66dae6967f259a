"""EUC use cases: issue with four eyes, serials, revoke, amend, drawdown (refusal, flags), DVC, expiry, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from attkit.core.audit import verify_chains
from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.euc import payload, serials, services
from attkit.euc.models import EndUserCertificate, EucStatus, SerialCounter, remaining_quantities

pytestmark = pytest.mark.django_db


def test_a_complete_request_is_drafted_with_every_element(drafter, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    assert euc.status == EucStatus.DRAFT
    assert euc.serial is None
    assert [p.role for p in euc.parties.all()] == ["exporter", "end_user", "consignee", "intermediary"]
    assert [g.line_no for g in euc.goods.all()] == [1, 2, 3, 4]
    assert euc.goods.get(line_no=1).category_code == "VIII-SA-2"
    assert services.check_draft(euc).ok


def test_an_incomplete_request_is_refused_field_by_field(drafter, request_data):
    request_data["goods"][1]["quantity"] = "many"
    del request_data["parties"][0]
    with pytest.raises(ValidationError) as info:
        services.draft_from_request(by=drafter, request=request_data)
    assert set(info.value.message_dict) == {"goods.1.quantity", "parties"}
    assert not EndUserCertificate.objects.exists()


def test_issue_gives_serial_dates_hash_and_seal(drafter, issuer, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    euc = services.issue(euc.pk, by=issuer)
    assert euc.status == EucStatus.ISSUED
    assert serials.is_valid_serial(euc.serial)
    assert euc.serial.startswith(f"MX-EUC-{euc.issue_date.year}-000001-")
    assert euc.issued_by == issuer
    assert euc.seal_text.startswith("EUC1:")
    assert euc.document_hash == payload.document_hash(services.full_document(euc))
    assert AuditEvent.objects.filter(kind="euc:issue", target_id=str(euc.pk)).count() == 1
    assert verify_chains().ok


def test_four_eyes_the_drafter_cannot_issue(drafter, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    with pytest.raises(PermissionDenied, match="four eyes"):
        services.issue(euc.pk, by=drafter)
    euc.refresh_from_db()
    assert euc.status == EucStatus.DRAFT and euc.serial is None


def test_only_an_issuer_of_the_importing_authority_issues(drafter, make_user, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    officer = make_user("MX", Role.LICENSING_OFFICER)
    with pytest.raises(PermissionDenied):
        services.issue(euc.pk, by=officer)
    foreign = make_user("DE", Role.EUC_ISSUER)
    with pytest.raises(EndUserCertificate.DoesNotExist):
        services.issue(euc.pk, by=foreign)


def test_a_failed_issue_consumes_no_serial(drafter, issuer, request_data, monkeypatch):
    euc = services.draft_from_request(by=drafter, request=request_data)
    from attkit.seals import services as seals

    def broken(*args, **kwargs):
        raise ValidationError("no key")

    monkeypatch.setattr(seals, "seal", broken)
    with pytest.raises(ValidationError):
        services.issue(euc.pk, by=issuer)
    assert not SerialCounter.objects.filter(last__gt=0).exists()
    monkeypatch.undo()
    euc = services.issue(euc.pk, by=issuer)
    assert euc.serial.split("-")[3] == "000001"


def test_serials_run_per_authority_and_year(make_issued, request_data):
    first = make_issued()
    second = make_issued()
    assert int(first.serial.split("-")[3]) + 1 == int(second.serial.split("-")[3])
    with transaction.atomic():
        assert services.allocate_serial(first.authority, "EUC", 2031).startswith("MX-EUC-2031-000001-")
        assert services.allocate_serial(first.authority, "DVC", 2031).startswith("MX-DVC-2031-000001-")


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused(mx):
    with pytest.raises(RuntimeError):
        services.allocate_serial(mx, "EUC", 2030)


def test_revoke_needs_a_reason_and_records_it(issued, supervisor):
    with pytest.raises(ValidationError):
        services.revoke(issued.pk, by=supervisor, reason="  ")
    euc = services.revoke(issued.pk, by=supervisor, reason="Forged end-user signature reported")
    assert euc.status == EucStatus.REVOKED
    assert euc.revocation_reason == "Forged end-user signature reported"
    from attkit.seals.models import RevokedSerial

    assert RevokedSerial.objects.filter(serial=euc.serial).exists()
    with pytest.raises(ValidationError):
        services.revoke(issued.pk, by=supervisor, reason="again")


def test_an_amendment_gets_a_new_serial_and_supersedes_the_old(issued, drafter, issuer, de_verifier):
    services.record_use(
        issued,
        exporting_state="DE",
        exporter="Demo Wehrtechnik GmbH (fictional)",
        licence_reference="DE-1",
        quantities={1: 50},
        by=de_verifier,
    )
    new = services.start_amendment(issued.pk, by=drafter, reason="End user moved its warehouse")
    assert new.supersedes == issued and new.status == EucStatus.DRAFT
    assert new.goods.get(line_no=1).quantity == 200  # what is left of line 1
    with pytest.raises(ValidationError):
        services.start_amendment(issued.pk, by=drafter, reason="twice")
    new = services.issue(new.pk, by=issuer)
    issued.refresh_from_db()
    assert issued.status == EucStatus.SUPERSEDED
    assert new.serial != issued.serial
    assert AuditEvent.objects.filter(kind="euc:supersede", target_id=str(issued.pk)).exists()


def test_drawdown_within_the_certificate(issued, de_verifier):
    use = services.record_use(
        issued,
        exporting_state="de",
        exporter="Demo Wehrtechnik GmbH (fictional)",
        licence_reference="DE-2026-77",
        quantities={1: 100, 2: 400},
        by=de_verifier,
    )
    issued.refresh_from_db()
    assert issued.status == EucStatus.PARTIALLY_USED
    assert use.authority == de_verifier.authority and use.serial == issued.serial and not use.flagged
    assert remaining_quantities(issued) == {1: 150, 2: 0, 3: 100000, 4: 25}
    assert AuditEvent.objects.filter(kind="euc:use", chain="MX", target_id=str(issued.pk)).count() == 1


def test_using_everything_marks_the_certificate_used(issued, de_verifier):
    lines = {str(g.pk): g.quantity for g in issued.goods.all()}  # keys may be goods line ids
    services.record_use(
        issued,
        exporting_state="DE",
        exporter="Demo Wehrtechnik GmbH (fictional)",
        licence_reference="DE-3",
        quantities=lines,
        by=de_verifier,
    )
    issued.refresh_from_db()
    assert issued.status == EucStatus.USED


def test_drawing_more_than_is_left_is_refused_and_changes_nothing(issued, de_verifier):
    services.record_use(
        issued, exporting_state="DE", exporter="X GmbH", licence_reference="DE-4", quantities={1: 200}, by=de_verifier
    )
    with pytest.raises(ValidationError) as info:
        services.record_use(
            issued,
            exporting_state="DE",
            exporter="X GmbH",
            licence_reference="DE-5",
            quantities={1: 10, 4: 26},
            by=de_verifier,
        )
    assert "quantities" in info.value.message_dict
    # Line 1 had room for 10 but line 4 (25 sets) did not: nothing at all was drawn.
    assert remaining_quantities(issued)[1] == 50
    assert issued.uses.count() == 1


def test_a_second_exporting_state_or_exporter_is_flagged(issued, de_verifier, fr_verifier):
    services.record_use(
        issued,
        exporting_state="DE",
        exporter="Demo Wehrtechnik GmbH",
        licence_reference="DE-6",
        quantities={1: 10},
        by=de_verifier,
    )
    same = services.record_use(
        issued,
        exporting_state="DE",
        exporter="demo  wehrtechnik gmbh",
        licence_reference="DE-7",
        quantities={1: 10},
        by=de_verifier,
    )
    assert not same.flagged
    other = services.record_use(
        issued,
        exporting_state="FR",
        exporter="Armes Exemple SA",
        licence_reference="FR-1",
        quantities={1: 10},
        by=fr_verifier,
    )
    assert other.flagged
    assert {f["flag"] for f in other.flags} == {"second_exporting_state", "other_exporter"}


def test_the_issuing_authority_does_not_record_uses_of_its_own_certificates(issued, make_user):
    officer = make_user("MX", Role.LICENSING_OFFICER)
    with pytest.raises(PermissionDenied):
        services.record_use(
            issued, exporting_state="MX", exporter="x", licence_reference="y", quantities={1: 1}, by=officer
        )


def test_a_revoked_certificate_cannot_be_used(issued, supervisor, de_verifier):
    services.revoke(issued.pk, by=supervisor, reason="Fraud")
    with pytest.raises(ValidationError, match="revoked"):
        services.record_use(
            issued, exporting_state="DE", exporter="x", licence_reference="y", quantities={1: 1}, by=de_verifier
        )


def test_use_needs_exporter_licence_and_a_real_state(issued, de_verifier):
    with pytest.raises(ValidationError) as info:
        services.record_use(
            issued, exporting_state="XX", exporter=" ", licence_reference="", quantities={1: 1}, by=de_verifier
        )
    assert set(info.value.message_dict) == {"exporting_state", "exporter", "licence_reference"}


def test_the_dvc_closes_the_certificate(issued, issuer, de_verifier):
    services.record_use(
        issued,
        exporting_state="DE",
        exporter="X",
        licence_reference="DE-8",
        quantities={1: 250, 2: 400},
        by=de_verifier,
    )
    dvc = services.record_delivery(
        issued.pk,
        by=issuer,
        delivery_date=dt.date.today(),
        checked_by="Cap. Ejemplo, Almacén Central",
        quantities={1: 250, 2: 400},
    )
    issued.refresh_from_db()
    assert issued.status == EucStatus.CLOSED and issued.closed_at is not None
    assert serials.parse_serial(dvc.serial).kind == "DVC"
    assert dvc.seal_text.startswith("DVC1:")
    assert [row.quantity_received for row in dvc.lines.order_by("line__line_no")] == [250, 400, 0, 0]
    with pytest.raises(ValidationError):
        services.record_delivery(
            issued.pk, by=issuer, delivery_date=dt.date.today(), checked_by="again", quantities={1: 1}
        )


def test_a_delivery_that_differs_needs_the_discrepancies(issued, issuer):
    with pytest.raises(ValidationError) as info:
        services.record_delivery(
            issued.pk, by=issuer, delivery_date=dt.date.today(), checked_by="Insp. Demo", quantities={1: 249}
        )
    assert "discrepancies" in info.value.message_dict
    dvc = services.record_delivery(
        issued.pk,
        by=issuer,
        delivery_date=dt.date.today(),
        checked_by="Insp. Demo",
        quantities={1: 249},
        discrepancies="One rifle missing from crate 12; lines 2-4 not shipped",
    )
    assert dvc.discrepancies


def test_delivery_date_cannot_be_in_the_future(issued, issuer):
    with pytest.raises(ValidationError) as info:
        services.record_delivery(
            issued.pk,
            by=issuer,
            delivery_date=dt.date.today() + dt.timedelta(days=2),
            checked_by="x",
            quantities={1: 250},
        )
    assert "delivery_date" in info.value.message_dict


def test_expiry_sweep(issued):
    later = issued.expiry_date + dt.timedelta(days=1)
    assert issued.effective_status(later).value == "expired"
    assert services.expire_overdue(today=later) == [issued.serial]
    issued.refresh_from_db()
    assert issued.status == EucStatus.EXPIRED
    assert services.expire_overdue(today=later) == []


def test_every_change_is_in_the_history(issued, de_verifier):
    services.record_use(
        issued, exporting_state="DE", exporter="X", licence_reference="DE-9", quantities={1: 1}, by=de_verifier
    )
    statuses = [h.status for h in issued.history.order_by("history_date")]
    assert statuses[0] == "draft" and statuses[-1] == "partially_used" and "issued" in statuses


def test_page_by_page_drafting(drafter):
    euc = services.start_draft(by=drafter)
    assert services.section_states(euc) == dict.fromkeys(services.section_states(euc), "not_started")
    with pytest.raises(ValidationError) as info:
        services.save_details(euc.pk, by=drafter, data={"expiry_date": "2020-01-01", "official_name": "A"})
    assert "expiry_date" in info.value.message_dict
    services.add_party(
        euc.pk,
        by=drafter,
        data={"role": "exporter", "name": "E GmbH", "address": "Str. 1", "country": "DE"},
    )
    with pytest.raises(ValidationError) as info:
        services.add_party(
            euc.pk, by=drafter, data={"role": "exporter", "name": "F GmbH", "address": "Str. 2", "country": "DE"}
        )
    assert "role" in info.value.message_dict
    line = services.add_goods_line(
        euc.pk,
        by=drafter,
        data={
            "description": "Rifles",
            "un_category": "VIII",
            "salw_line": "SA-2",
            "hs_code": "9301.90",
            "quantity": "10",
            "unit": "unit",
        },
    )
    assert line.hs_code == "930190" and line.line_no == 1
    states = services.section_states(euc)
    assert states["parties"] == "in_progress" and states["goods"] == "completed"
    services.remove_goods_line(euc.pk, line.pk, by=drafter)
    assert not euc.goods.exists()
