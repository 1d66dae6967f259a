"""Records (Art. 12): the fields, immutable history, corrections that supersede, ten-year retention."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attkit.core.models import AuditEvent
from attkit.reporting import services
from attkit.reporting.models import TransferRecord, retention_end

pytestmark = pytest.mark.django_db


def test_a_record_keeps_the_art12_fields(record):
    r = record(
        transit_states=["PA", "co"],
        state_of_origin="US",
        end_user_type="armed_forces",
        licence_reference="MX-EXP-2024-0001",
        euc_serial="GT-EUC-2024-000010",
        hs_code="9301.90",
    )
    assert r.reference == "MX-TR-2024-000001"
    assert r.year == 2024
    assert r.exporting_state == "MX"  # the reporting state, filled in
    assert r.partner_state == "GT"
    assert r.transit_states == ["PA", "CO"]
    assert r.hs_code == "930190"
    assert r.value == Decimal("150000.00")
    assert r.retain_until == dt.date(2034, 3, 15)
    assert r.is_current
    event = AuditEvent.objects.get(kind="records:create", target_id=str(r.pk))
    assert event.payload["reference"] == r.reference


def test_numbers_run_per_year(record):
    assert record().reference.endswith("2024-000001")
    assert record().reference.endswith("2024-000002")
    assert record(date=dt.date(2023, 1, 2)).reference == "MX-TR-2023-000001"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"basis": "maybe"}, "basis"),
        ({"category": "IX"}, "category"),
        ({"quantity": None, "value": None}, "quantity"),
        ({"currency": ""}, "currency"),
        ({"importing_state": ""}, "importing_state"),
        ({"importing_state": "XX"}, "importing_state"),
        ({"year": 2023}, "date"),
        ({"end_user_type": "pirates"}, "end_user_type"),
        ({"date": None, "year": 1980}, "year"),
    ],
)
def test_invalid_records_are_refused_by_field(record, changes, field):
    with pytest.raises(ValidationError) as info:
        record(**changes)
    assert field in info.value.error_dict
    assert not TransferRecord.objects.exists()


def test_records_are_immutable(record):
    r = record()
    r.quantity = 1
    with pytest.raises(PermissionDenied):
        r.save()
    with pytest.raises(PermissionDenied):
        TransferRecord.objects.filter(pk=r.pk).update(quantity=1)
    assert TransferRecord.objects.get(pk=r.pk).quantity == 100


def test_a_correction_supersedes_and_keeps_history(record, mx_admin):
    old = record()
    new = services.supersede_record(old.pk, by=mx_admin, reason="Customs counted 98", changes={"quantity": 98})
    old.refresh_from_db()
    assert not old.is_current and old.quantity == 100
    assert new.is_current and new.quantity == 98 and new.supersedes_id == old.pk
    assert new.correction_reason == "Customs counted 98"
    assert [v.reference for v in services.history(old)] == [old.reference, new.reference]
    assert [v.reference for v in services.history(new)] == [old.reference, new.reference]
    event = AuditEvent.objects.get(kind="records:supersede")
    assert event.payload["supersedes"] == old.reference and event.payload["changed"] == ["quantity"]
    with pytest.raises(ValidationError):
        services.supersede_record(old.pk, by=mx_admin, reason="again", changes={"quantity": 97})
    assert TransferRecord.objects.current().count() == 1


def test_a_correction_needs_a_reason_and_a_change(record, mx_admin):
    r = record()
    with pytest.raises(ValidationError):
        services.supersede_record(r.pk, by=mx_admin, reason="", changes={"quantity": 5})
    with pytest.raises(ValidationError):
        services.supersede_record(r.pk, by=mx_admin, reason="no change", changes={"quantity": 100})


def test_only_records_managers_correct(record, mx_officer):
    r = record()
    with pytest.raises(PermissionDenied):
        services.supersede_record(r.pk, by=mx_officer, reason="x", changes={"quantity": 5})


def test_another_state_cannot_correct_or_delete(record, de_admin):
    r = record()
    with pytest.raises(TransferRecord.DoesNotExist):
        services.supersede_record(r.pk, by=de_admin, reason="x", changes={"quantity": 5})
    with pytest.raises(TransferRecord.DoesNotExist):
        services.delete_record(r.pk, by=de_admin)


def test_another_state_cannot_record_for_mexico(mx, de_admin):
    with pytest.raises(PermissionDenied):
        services.record_transfer(
            authority=mx,
            by=de_admin,
            direction="export",
            basis="actual",
            category="I",
            year=2024,
            quantity=1,
            importing_state="GT",
        )


def test_licensing_and_customs_record_with_their_own_roles(mx, make_user):
    from attkit.core.permissions import Role

    officer = make_user("MX", Role.LICENSING_OFFICER)
    customs = make_user("MX", Role.CUSTOMS_OFFICER)
    trainee = make_user("MX", Role.TRAINEE)
    common = {
        "authority": mx,
        "direction": "import",
        "category": "VIII.SA.1",
        "year": 2025,
        "quantity": 3,
        "exporting_state": "US",
    }
    services.record_transfer(by=officer, basis="authorised", source="licence", source_id="case-1:1", **common)
    services.record_transfer(by=customs, basis="actual", source="shipment", source_id="ship-1:1", **common)
    with pytest.raises(PermissionDenied):
        services.record_transfer(by=officer, basis="actual", source="shipment", source_id="ship-2:1", **common)
    with pytest.raises(PermissionDenied):
        services.record_transfer(by=trainee, basis="actual", source="manual", **common)


def test_the_same_source_id_is_recorded_once(mx):
    args = {
        "authority": mx,
        "by": None,
        "direction": "import",
        "basis": "actual",
        "category": "I",
        "year": 2025,
        "quantity": 2,
        "exporting_state": "DE",
        "source": "shipment",
        "source_id": "shipment-9:1",
    }
    first = services.record_transfer(**args)
    again = services.record_transfer(**args)
    assert first.pk == again.pk
    assert TransferRecord.objects.count() == 1


def test_retention_refuses_deletion_inside_ten_years(record, mx_admin):
    r = record(date=dt.date.today() - dt.timedelta(days=365 * 9))
    with pytest.raises(ValidationError):
        services.delete_record(r.pk, by=mx_admin, reason="tidy up")
    with pytest.raises(ValidationError):
        r.delete()
    with pytest.raises(ValidationError):
        TransferRecord.objects.filter(pk=r.pk).delete()
    assert TransferRecord.objects.filter(pk=r.pk).exists()
    assert not services.can_delete(r)


def test_deletion_allowed_after_ten_years_takes_the_history(record, mx_admin):
    old = record(date=dt.date(2012, 5, 4))
    new = services.supersede_record(old.pk, by=mx_admin, reason="fix", changes={"quantity": 7})
    old.refresh_from_db()
    assert services.can_delete(new) and not services.can_delete(old)  # delete the current version
    with pytest.raises(ValidationError):
        services.delete_record(old.pk, by=mx_admin)
    refs = services.delete_record(new.pk, by=mx_admin, reason="past retention")
    assert refs == [old.reference, new.reference]
    assert not TransferRecord.objects.exists()
    assert AuditEvent.objects.get(kind="records:delete").payload["references"] == refs


def test_only_records_managers_delete(record, mx_officer):
    r = record(date=dt.date(2010, 1, 1))
    with pytest.raises(PermissionDenied):
        services.delete_record(r.pk, by=mx_officer)


def test_retention_end_handles_leap_days():
    assert retention_end(2016, dt.date(2016, 2, 29)) == dt.date(2026, 2, 28)
    assert retention_end(2016, None) == dt.date(2026, 12, 31)


def test_retention_report(record):
    record(date=dt.date(2012, 5, 4))
    record(date=dt.date(2024, 5, 4))
    record(date=dt.date(2024, 6, 4))
    rows = {r.year: r for r in services.retention_report(record(date=dt.date(2024, 7, 1)).authority)}
    assert rows[2012].deletable == 1 and rows[2012].records == 1
    assert rows[2024].records == 3 and rows[2024].deletable == 0
    assert rows[2024].retain_until_first == dt.date(2034, 5, 4)


def test_export_csv_and_json(record, mx_admin):
    r = record(transit_states=["PA"])
    services.supersede_record(r.pk, by=mx_admin, reason="fix", changes={"quantity": 90})
    records = TransferRecord.objects.order_by("reference")
    csv_text = services.export_records(records, "csv").decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("reference,direction,basis,year,date,category")
    assert len(lines) == 3 and "PA" in lines[1]
    import json

    data = json.loads(services.export_records(records, "json"))
    assert [d["quantity"] for d in data] == [100, 90]
    assert data[1]["supersedes"] == data[0]["reference"]
    assert data[0]["value"] == "150000.00" and data[0]["is_current"] is False
