"""The audit log is append-only and hash-chained; `attkit audit verify` names the first broken link."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from attkit.core import audit
from attkit.core.audit import CoreAuditKind, verify_chains
from attkit.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(authority, n=3):
    with transaction.atomic():
        return [audit.record(None, CoreAuditKind.REFERENCE_CHANGE, authority, {"i": i}) for i in range(n)]


def test_events_chain_per_authority(mx, de):
    first = _events(mx, 2)
    other = _events(de, 1)
    assert [e.seq for e in first] == [1, 2]
    assert first[1].prev_hash == first[0].hash
    assert other[0].seq == 1 and other[0].chain == "DE"
    assert verify_chains().ok


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused(mx):
    with pytest.raises(RuntimeError):
        audit.record(None, CoreAuditKind.REFERENCE_CHANGE, mx, {})


def test_kind_must_be_app_colon_verb(mx):
    with transaction.atomic(), pytest.raises(ValueError, match="app:verb"):
        audit.record(None, "notakind", mx, {})


def test_model_and_queryset_refuse_changes(mx):
    event = _events(mx, 1)[0]
    event.kind = "x:y"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(kind="x:y")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).delete()


def _tamper(sql: str, params: list) -> None:
    """Bypass the ORM as an attacker with database access would (on SQLite; PostgreSQL's trigger refuses)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_verify_names_the_altered_event(mx, capsys):
    events = _events(mx, 3)
    _tamper("UPDATE core_auditevent SET payload = %s WHERE id = %s", ['{"i": 99}', events[1].id])
    report = verify_chains()
    assert not report.ok
    assert report.breaks[0].seq == 2 and "altered" in report.breaks[0].reason
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "BROKEN MX at event #2" in capsys.readouterr().out


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_verify_detects_a_deleted_event(mx):
    events = _events(mx, 3)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].id])
    report = verify_chains()
    assert report.breaks[0].seq == 3 and "missing" in report.breaks[0].reason


def test_postgresql_trigger_refuses_raw_update(mx):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    event = _events(mx, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _tamper("UPDATE core_auditevent SET kind = 'x:y' WHERE id = %s", [event.id])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _tamper("DELETE FROM core_auditevent WHERE id = %s", [event.id])


def test_verify_command_ok(mx, capsys):
    _events(mx, 2)
    call_command("audit", "verify")
    assert "audit chain intact" in capsys.readouterr().out


def test_hash_survives_database_round_trip(mx):
    with transaction.atomic():
        event = audit.record(None, CoreAuditKind.REFERENCE_CHANGE, mx, {"when": "x", "n": 1.5, "nested": {"b": [1, 2]}})
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert audit.compute_hash(fresh) == event.hash
