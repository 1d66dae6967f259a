"""The admin inspects cases but cannot move them: the status is read-only and a forged save is refused."""

from __future__ import annotations

import re

import pytest

from attkit.licensing import services
from attkit.licensing.models import Case, CaseState
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


def test_the_admin_cannot_change_the_state(bare_world, client, django_user_model):
    case = services.create_application(by=bare_world["de.applicant"], data=w.export_application(bare_world))
    admin = django_user_model.objects.create_superuser("root", "", "correct-horse-battery-staple-42")
    client.force_login(admin)
    url = f"/admin/licensing/case/{case.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="state"' not in form.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.content.decode()))
    fields.pop("csrfmiddlewaretoken", None)
    response = client.post(url, {**fields, "state": CaseState.APPROVED, "end_use": "Edited in the admin."})
    assert response.status_code in (200, 302)
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT
    assert case.end_use == "Edited in the admin."
    assert client.get("/admin/licensing/case/add/").status_code == 403
    assert client.post(f"/admin/licensing/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()
