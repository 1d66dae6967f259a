"""Authority administrators manage their own colleagues, never another authority's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from attkit.accounts import services
from attkit.accounts.models import User
from attkit.core.models import AuditEvent
from attkit.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_admin_creates_a_colleague_in_own_authority(client, make_user, login):
    admin = make_user("MX", Role.ADMINISTRATOR)
    login(admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "mx.new",
            "roles": ["assessor", "euc_verifier"],
            "password": "a-long-enough-pass-123",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="mx.new")
    assert created.authority_id == admin.authority_id
    assert created.roles() == {Role.ASSESSOR, Role.EUC_VERIFIER}
    assert AuditEvent.objects.filter(kind="user:create", target_id=str(created.pk)).exists()


def test_form_errors_are_named(client, make_user, login):
    login(make_user("MX", Role.ADMINISTRATOR))
    html = client.post("/accounts/users/new/", {"username": "x", "password": "short"}).content.decode()
    assert "There is a problem" in html
    assert "Choose at least one role." in html
    assert "Use 3 to 150 letters" in html


def test_admin_cannot_touch_another_authority(client, make_user, login):
    admin = make_user("MX", Role.ADMINISTRATOR)
    foreign = make_user("DE", Role.LICENSING_OFFICER)
    login(admin)
    assert client.get(f"/accounts/users/{foreign.pk}/").status_code == 404
    assert client.post(f"/accounts/users/{foreign.pk}/reset-2fa/").status_code == 404
    assert foreign.username not in client.get("/accounts/users/").content.decode()
    with pytest.raises(User.DoesNotExist):
        services.update_user(foreign.pk, by=admin, roles=[Role.ASSESSOR], agency=None, is_active=False)


def test_only_administrators_manage_users(client, make_user, login):
    officer = make_user("MX", Role.LICENSING_OFFICER)
    login(officer)
    assert client.get("/accounts/users/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.update_user(officer.pk, by=officer, roles=[Role.ADMINISTRATOR], agency=None, is_active=True)


def test_roles_change_and_are_audited(make_user):
    admin = make_user("MX", Role.ADMINISTRATOR)
    person = make_user("MX", Role.ASSESSOR)
    services.update_user(person.pk, by=admin, roles=[Role.SUPERVISOR], agency=None, is_active=True)
    person = User.objects.get(pk=person.pk)
    assert person.roles() == {Role.SUPERVISOR}
    event = AuditEvent.objects.filter(kind="user:update").latest("id")
    assert event.payload["roles_added"] == ["supervisor"] and event.payload["roles_removed"] == ["assessor"]


def test_admin_cannot_lock_themselves_out(make_user):
    admin = make_user("MX", Role.ADMINISTRATOR)
    with pytest.raises(ValidationError):
        services.update_user(admin.pk, by=admin, roles=[Role.ASSESSOR], agency=None, is_active=True)
    with pytest.raises(ValidationError):
        services.update_user(admin.pk, by=admin, roles=[Role.ADMINISTRATOR], agency=None, is_active=False)


def test_reset_two_factor_removes_devices(client, make_user, login):
    admin = make_user("MX", Role.ADMINISTRATOR)
    person = make_user("MX", Role.LICENSING_OFFICER)
    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    login(admin)
    assert client.post(f"/accounts/users/{person.pk}/reset-2fa/").status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert AuditEvent.objects.filter(kind="user:2fa_reset", target_id=str(person.pk)).exists()
