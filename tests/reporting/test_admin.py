"""The admin shows records read-only and deletes them only after the ten-year retention period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.reporting.models import TransferRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    user = make_user("MX", Role.ADMINISTRATOR, username="mx.staff")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_records_are_read_only_in_the_admin(staff, record):
    r = record()
    assert staff.get("/admin/reporting/transferrecord/").status_code == 200
    page = staff.get(f"/admin/reporting/transferrecord/{r.pk}/change/")
    assert page.status_code == 200 and 'name="quantity"' not in page.content.decode()
    assert staff.post(f"/admin/reporting/transferrecord/{r.pk}/change/", {"quantity": 1}).status_code == 403
    assert staff.get("/admin/reporting/transferrecord/add/").status_code == 403


def test_admin_refuses_deletion_inside_retention(staff, record):
    r = record(date=dt.date.today() - dt.timedelta(days=30))
    assert staff.get(f"/admin/reporting/transferrecord/{r.pk}/delete/").status_code == 403
    assert staff.post(f"/admin/reporting/transferrecord/{r.pk}/delete/", {"post": "yes"}).status_code == 403
    staff.post(
        "/admin/reporting/transferrecord/",
        {"action": "delete_selected", "_selected_action": [str(r.pk)], "post": "yes"},
    )
    assert TransferRecord.objects.filter(pk=r.pk).exists()


def test_admin_deletes_after_retention_through_the_service(staff, record):
    r = record(date=dt.date(2013, 2, 1))
    assert staff.get(f"/admin/reporting/transferrecord/{r.pk}/delete/").status_code == 200
    assert staff.post(f"/admin/reporting/transferrecord/{r.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TransferRecord.objects.filter(pk=r.pk).exists()
    event = AuditEvent.objects.get(kind="records:delete")
    assert event.actor_label == "mx.staff" and event.payload["references"] == [r.reference]


def test_admin_bulk_delete_is_refused_when_one_record_is_inside_retention(staff, record):
    old = record(date=dt.date(2013, 2, 1))
    recent = record(date=dt.date(2024, 2, 1))
    both = {"action": "delete_selected", "_selected_action": [str(old.pk), str(recent.pk)], "post": "yes"}
    assert staff.post("/admin/reporting/transferrecord/", both).status_code == 403
    assert TransferRecord.objects.count() == 2
    only_old = {"action": "delete_selected", "_selected_action": [str(old.pk)], "post": "yes"}
    assert staff.post("/admin/reporting/transferrecord/", only_old).status_code == 302
    assert list(TransferRecord.objects.values_list("pk", flat=True)) == [recent.pk]


def test_admin_shows_only_the_staff_authority(staff, record, de):
    mine = record()
    theirs = record(authority=de, importing_state="FR")
    page = staff.get("/admin/reporting/transferrecord/").content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert staff.get(f"/admin/reporting/transferrecord/{theirs.pk}/change/").status_code in (302, 404)
