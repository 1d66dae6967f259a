"""The training sandbox: its trainees and instructors practise on the real screens, inside the sandbox only.

A trainee or instructor of the sandbox XT must not reach a real authority's records, must not do in the
sandbox anything beyond SANDBOX_PRACTICE and their role, and a seal made in the sandbox must not be trusted by
a real state, whichever door the verification goes through (page, API, token).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from attkit.accounts import services as accounts
from attkit.core.permissions import ROLE_PERMISSIONS, SANDBOX_PRACTICE, Permission, Role, require

pytestmark = pytest.mark.django_db

# Pages needing a permission that neither the sandbox practice nor a trainee's or instructor's role gives.
BEYOND_PRACTICE = {
    "/seals/keys/": Permission.SEALS_MANAGE,
    "/accounts/users/": Permission.USERS_MANAGE,
    "/euc/new/": Permission.EUC_DRAFT,
    "/euc/use/": Permission.EUC_DRAWDOWN,
    "/audit/": Permission.AUDIT_VIEW,
    "/reports/records/": Permission.RECORDS_VIEW,
    "/reports/records/import/": Permission.RECORDS_MANAGE,
    "/screening/lists/load/": Permission.SCREENING_LOAD,
    "/cases/new/": Permission.CASE_APPLY,
    "/cases/shipments/": Permission.SHIPMENT_RECORD,
    "/cases/routing/": Permission.CASE_VIEW,  # its POST needs routing rights: checked below
}


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR])
def test_sandbox_users_hold_practice_permissions_only_inside_the_sandbox(make_user, make_authority, role):
    xt = make_authority("XT", is_sandbox=True)
    inside = make_user(xt, role)
    outside = make_user("MX", role)
    own = ROLE_PERMISSIONS[role]
    assert inside.effective_permissions() == own | SANDBOX_PRACTICE
    assert outside.effective_permissions() == own
    for permission in Permission:
        if permission not in own | SANDBOX_PRACTICE:
            with pytest.raises(PermissionDenied):
                require(inside, permission)
    # countersigning, issuing and revoking stay out of practice: four eyes and real seals
    for permission in (Permission.CASE_COUNTERSIGN, Permission.EUC_ISSUE, Permission.EUC_REVOKE):
        assert permission not in inside.effective_permissions()


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR])
def test_sandbox_users_are_refused_real_actions_on_the_pages(make_user, make_authority, role):
    xt = make_authority("XT", is_sandbox=True)
    client = Client(raise_request_exception=False)
    client.force_login(make_user(xt, role))
    for path, permission in BEYOND_PRACTICE.items():
        if permission in SANDBOX_PRACTICE:
            continue
        assert client.get(path).status_code == 403, path
    # the practice screens open in the sandbox, and the same role of a real state does not get them
    assert client.get("/screening/hits/").status_code == 200
    real = Client(raise_request_exception=False)
    real.force_login(make_user("MX", role))
    assert real.get("/screening/hits/").status_code == 403
    # an API token of a sandbox user carries the same limits
    user = make_user(xt, role)
    _token, text = accounts.create_token(user=user, role=role, name="t", by=user)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {text}"}
    assert Client().get("/api/v1/reporting/records", **bearer).status_code == 403
    assert Client().get("/api/v1/audit/events", **bearer).status_code == 403
    assert Client().get("/api/v1/screening/hits", **bearer).status_code == 200


def test_a_sandbox_seal_is_not_trusted_by_a_real_state_through_any_door(make_user, make_authority):
    from attkit.seals import services as seals

    xt = make_authority("XT", is_sandbox=True)
    text = seals.seal(xt, "EUC1:", {"serial": "XT-EUC-1"}, expires_at=None)
    verifier = make_user("MX", Role.EUC_VERIFIER)
    _token, token = accounts.create_token(user=verifier, role=Role.EUC_VERIFIER, name="t", by=verifier)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = Client().post("/api/v1/seals/verify", {"text": text}, content_type="application/json", **bearer)
    assert api.status_code == 200
    assert api.json()["valid"] is False and api.json()["verdict"] == "unknown_signer"
    euc_api = Client().post("/api/v1/euc/verify", {"text": text}, content_type="application/json", **bearer)
    assert euc_api.status_code in (200, 422)
    if euc_api.status_code == 200:
        assert euc_api.json().get("valid") is not True and euc_api.json().get("verdict") != "valid"
    page = Client()
    page.force_login(verifier)
    for path in ("/verify/", "/seals/verify/"):
        response = page.post(path, {"way": "paste", "paste-text": text})
        assert response.status_code == 200, path
        assert b'data-verdict="unknown_signer"' in response.content, path
    # inside the sandbox the same seal verifies: the refusal above is about trust, not a broken seal
    trainee = make_user(xt, Role.TRAINEE)
    _t, trainee_token = accounts.create_token(user=trainee, role=Role.TRAINEE, name="t", by=trainee)
    inside = Client().post(
        "/api/v1/seals/verify",
        {"text": text},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {trainee_token}",
    )
    assert inside.status_code == 200 and inside.json()["valid"] is True


@pytest.mark.slow
def test_sandbox_users_walk_every_route(settings):
    """As XT's trainee and instructor: every route against Mexico's records (nothing found or shown), and
    every route of the matrix against XT's own records (nothing beyond practice and role)."""
    from attkit.accounts.models import User
    from attkit.core import demo
    from attkit.core.models import Authority
    from tests.core.test_tenancy_walk import walk_as
    from tests.hardening.test_access_roles import walk_roles

    settings.REQUIRE_2FA = False
    demo.load(quick=True)
    mx = Authority.objects.get(code="MX")
    xt = Authority.objects.get(code="XT")
    users = {role: User.objects.get(username=f"xt.{role.value}") for role in (Role.TRAINEE, Role.INSTRUCTOR)}
    leaks: list[str] = []
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        leaks += [f"{role.value}: {leak}" for leak in walk_as(client, mx, xt)]
    assert not leaks, "\n".join(leaks[:60])
    failures = walk_roles(users, xt, check_holders=False)
    assert not failures, "\n".join(failures[:60])
