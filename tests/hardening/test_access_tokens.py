"""API tokens outside their scope: another role, expired, revoked, of a deactivated or moved user, tampered,
of another authority, and a token minting a stronger one. Each refused call changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from attkit.accounts import services as accounts
from attkit.accounts.models import ApiToken, RoleGrant
from attkit.core.permissions import Role
from attkit.licensing import services
from attkit.licensing.models import CaseState
from tests.hardening._access_walk import audit_count
from tests.licensing import world as w

pytestmark = pytest.mark.django_db


def _call(method: str, path: str, token: str, body: Any = None) -> Any:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get(f"/api/v1{path}", **headers)
    return client.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def submitted(make_user, make_authority):
    world = w.build(make_user, make_authority)
    case = services.create_application(by=world["de.applicant"], data=w.export_application(world))
    case = services.submit(case.pk, by=world["de.applicant"])
    hit = case.hits.get()
    services.review_hit(hit.pk, by=world["de.supervisor"], decision="false_positive", reason="Not the listed one.")
    return world, case


def _refused(method: str, path: str, token: str, statuses: tuple[int, ...], body: Any = None) -> None:
    before = audit_count()
    response = _call(method, path, token, body)
    assert response.status_code in statuses, (path, response.status_code, response.content[:200])
    assert audit_count() == before


def test_a_token_acts_only_in_its_role(submitted, make_user):
    _world, case = submitted
    both = make_user("DE", Role.APPLICANT, Role.LICENSING_OFFICER)
    _t, as_applicant = accounts.create_token(user=both, role=Role.APPLICANT, name="a", by=both)
    _t, as_officer = accounts.create_token(user=both, role=Role.LICENSING_OFFICER, name="o", by=both)
    me = _call("get", "/accounts/me", as_applicant).json()
    assert me["roles"] == ["applicant"] and "case:process" not in me["permissions"]
    for action in ("screening-clear", "request-information", "issue"):
        _refused("post", f"/licensing/cases/{case.pk}/{action}", as_applicant, (403,), {"reason": "x"})
    _refused("get", f"/licensing/cases/{case.pk}/flags", as_applicant, (403,))
    response = _call("post", f"/licensing/cases/{case.pk}/screening-clear", as_officer)
    assert response.status_code == 200 and response.json()["state"] == CaseState.UNDER_ASSESSMENT


def test_expired_revoked_deactivated_moved_and_demoted_tokens_are_refused(submitted, make_user, make_authority):
    world, case = submitted
    officer = world["de.officer"]
    path = f"/licensing/cases/{case.pk}/screening-clear"

    def fresh() -> tuple[ApiToken, str]:
        return accounts.create_token(user=officer, role=Role.LICENSING_OFFICER, name="t", by=officer)

    token, text = fresh()
    assert _call("get", "/accounts/me", text).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused("post", path, text, (401,))
    token, text = fresh()
    accounts.revoke_token(token.pk, by=officer)
    _refused("post", path, text, (401,))
    token, text = fresh()
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    _refused("post", path, text, (401,))
    officer.is_active = True
    officer.save(update_fields=["is_active"])
    # the user moved to another authority: the token stays bound to the one it was made in
    token, text = fresh()
    type(officer).objects.filter(pk=officer.pk).update(authority=make_authority("CR"))
    _refused("post", path, text, (401, 404))
    type(officer).objects.filter(pk=officer.pk).update(authority=case.authority)
    # the role was taken away after the token was made: the token acts with no role at all
    token, text = fresh()
    RoleGrant.objects.filter(user=officer, role=Role.LICENSING_OFFICER).delete()
    _refused("post", path, text, (401, 403))
    assert _call("get", "/accounts/me", text).json().get("permissions", []) == []
    case.refresh_from_db()
    assert case.state == CaseState.SCREENING


def test_tampered_tokens_are_refused(submitted):
    world, case = submitted
    officer = world["de.officer"]
    _t, text = accounts.create_token(user=officer, role=Role.LICENSING_OFFICER, name="t", by=officer)
    supervisor = world["de.supervisor"]
    _t2, other = accounts.create_token(user=supervisor, role=Role.SUPERVISOR, name="s", by=supervisor)
    prefix, key_id, secret = text.split("_", 2)
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    forged = [
        f"{prefix}_{key_id}_{flipped}",  # one character of the secret changed
        f"{prefix}_{key_id}_{other.split('_', 2)[2]}",  # another token's secret under this key id
        f"{prefix}_{other.split('_', 2)[1]}_{secret}",  # this secret under another key id
        f"{prefix}_{key_id}_",  # no secret
        f"{prefix}_{key_id}_{secret[:-8]}",  # a prefix of the secret
        f"xyz_{key_id}_{secret}",  # another prefix
        f"{prefix}_{key_id}_{secret}" + "x" * 200,  # too long
    ]
    for token in forged:
        _refused("post", f"/licensing/cases/{case.pk}/screening-clear", token, (401,))
    # a token is for the API only: pages ignore the Authorization header
    page = Client().get("/cases/", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def test_a_token_of_one_authority_finds_nothing_of_another(submitted, make_user):
    world, case = submitted
    mx_officer = world["mx.officer"]
    _t, text = accounts.create_token(user=mx_officer, role=Role.LICENSING_OFFICER, name="t", by=mx_officer)
    for path in (f"/licensing/cases/{case.pk}", f"/licensing/cases/{case.pk}/flags", f"/assessment/cases/{case.pk}"):
        _refused("get", path, text, (404,))
    for action in ("screening-clear", "request-information", "consult"):
        body = {"reason": "x", "agency": str(world.agencies["mx.defence"].pk)}
        _refused("post", f"/licensing/cases/{case.pk}/{action}", text, (404,), body)
    listing = _call("get", "/licensing/cases", text)
    assert listing.status_code == 200 and case.reference not in listing.content.decode()
    # nor another authority's tokens
    de_token, _de_text = accounts.create_token(
        user=world["de.officer"], role=Role.LICENSING_OFFICER, name="d", by=world["de.officer"]
    )
    _refused("post", f"/accounts/tokens/{de_token.pk}/revoke", text, (403, 404))
    de_token.refresh_from_db()
    assert de_token.revoked_at is None
    case.refresh_from_db()
    assert case.state == CaseState.SCREENING


def test_a_token_cannot_mint_a_stronger_token(make_user):
    user = make_user("MX", Role.LICENSING_OFFICER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    _t, text = accounts.create_token(user=user, role=Role.LICENSING_OFFICER, name="t", by=user)
    for role in ("supervisor", "administrator"):
        _refused("post", "/accounts/tokens", text, (403, 422), {"name": "up", "role": role, "days": 30})
    _refused("post", "/accounts/tokens", text, (422,), {"name": "long", "role": "licensing_officer", "days": 3650})
    assert ApiToken.objects.filter(user=user).count() == 1
    # the same role, within the limits, is allowed: the token can only reproduce itself
    response = _call("post", "/accounts/tokens", text, {"name": "same", "role": "licensing_officer", "days": 30})
    assert response.status_code == 201
    made = _call("get", "/accounts/me", response.json()["token"]).json()
    assert made["roles"] == ["licensing_officer"]
    # an administrator's token manages tokens of its own authority only through its role
    _t, admin_text = accounts.create_token(user=user, role=Role.ADMINISTRATOR, name="adm", by=user)
    other = make_user("MX", Role.APPLICANT)
    other_token, _ = accounts.create_token(user=other, role=Role.APPLICANT, name="o", by=other)
    _refused("post", f"/accounts/tokens/{other_token.pk}/revoke", text, (403,))
    assert _call("post", f"/accounts/tokens/{other_token.pk}/revoke", admin_text).status_code == 200
