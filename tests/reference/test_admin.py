"""Editing reference data in the Django admin: who may, and every change audited as reference:change."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from attkit.accounts.models import User
from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.reference import services
from attkit.reference.models import Category, Embargo

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("operator", "", "correct-horse-battery-staple-42")


def _change_form(embargo: Embargo, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        f.name: getattr(embargo, f.name)
        for f in Embargo._meta.fields
        if f.editable and f.name not in ("id", "updated_at")
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_the_platform_operator_confirms_an_unverified_row(loaded, superuser, login):
    client = login(superuser)
    embargo = Embargo.objects.get(key="un-iq")
    url = f"/admin/reference/embargo/{embargo.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, _change_form(embargo, verified=True))
    assert response.status_code == 302, response.content.decode()[:2000]
    embargo.refresh_from_db()
    assert embargo.verified and embargo.edited_in_admin
    event = AuditEvent.objects.filter(kind="reference:change").get()
    assert event.target_id == str(embargo.pk) and event.payload["action"] == "update"
    assert event.payload["fields"] == {"verified": True}
    services.load(["embargoes"])  # a later load keeps the confirmation
    assert Embargo.objects.get(key="un-iq").verified


def test_staff_with_reference_manage_may_edit_others_may_not(loaded, make_user, login):
    admin_user = make_user("MX", Role.ADMINISTRATOR)
    officer = make_user("MX", Role.LICENSING_OFFICER)
    for user in (admin_user, officer):
        user.is_staff = True
        user.save()
    assert login(admin_user).get("/admin/reference/category/").status_code == 200
    assert login(officer).get("/admin/reference/category/").status_code == 403
    assert services.can_manage(admin_user) and not services.can_manage(officer)


def test_save_change_and_delete_are_audited_and_refused_without_permission(loaded, superuser, make_user):
    category = Category.objects.get(code="VIII-LW-6")
    category.note_en = "Checked against the 2025 UN Register form."
    services.save_change(superuser, category, created=False, changed_fields=["note_en"])
    assert Category.objects.get(code="VIII-LW-6").edited_in_admin
    embargo = Embargo.objects.get(key="eu-ht")
    services.delete_row(superuser, embargo)
    assert not Embargo.objects.filter(key="eu-ht").exists()
    actions = [e.payload["action"] for e in AuditEvent.objects.filter(kind="reference:change").order_by("seq")]
    assert actions == ["update", "delete"]
    with pytest.raises(PermissionDenied):
        services.save_change(make_user("MX", Role.APPLICANT), category, created=False)


def test_unticking_edited_in_the_admin_hands_the_row_back_to_the_loader(loaded, superuser):
    country = services.country("MX")
    assert country is not None
    country.name_es = "Estados Unidos Mexicanos"
    services.save_change(superuser, country, created=False, changed_fields=["name_es"])
    services.load(["countries"])
    assert services.country("MX").name_es == "Estados Unidos Mexicanos"  # type: ignore[union-attr]
    country.edited_in_admin = False
    services.save_change(superuser, country, created=False, changed_fields=["edited_in_admin"])
    services.load(["countries"])
    assert services.country("MX").name_es == "México"  # type: ignore[union-attr]


def test_the_data_set_key_cannot_be_changed_in_the_admin(loaded, superuser, login):
    from attkit.reference.models import DataSet

    data_set = DataSet.objects.get(key="embargoes_un")
    html = login(superuser).get(f"/admin/reference/dataset/{data_set.pk}/change/").content.decode()
    assert 'name="key"' not in html and 'name="as_of"' in html
