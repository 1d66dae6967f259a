"""Security baseline: argon2, lockout, two-factor, API tokens scoped and expiring, 413, CSP, CSRF, 422."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from attkit.accounts import services
from attkit.accounts.models import ApiToken
from attkit.core.permissions import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(settings, make_user):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user("MX", Role.LICENSING_OFFICER)
    assert user.password.startswith("argon2")


def test_login_flood_is_locked_out(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("MX", Role.LICENSING_OFFICER)
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 or response.status_code == 403
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_clear_message(client, make_user):
    user = make_user("MX", Role.LICENSING_OFFICER)
    response = client.post("/accounts/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_official_must_enrol_then_verify_two_factor(client, make_user, settings):
    settings.REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a failure; not what this test is about
    user = make_user("MX", Role.LICENSING_OFFICER)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    page = client.get("/accounts/2fa/setup/").content.decode()
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
    bad = client.post("/accounts/2fa/setup/", {"token": "000000"})
    assert "The code is not correct" in bad.content.decode()
    # the page made a new pending device; read its secret again
    secret = bad.content.decode().split('data-testid="totp-secret">')[1].split("<")[0]
    ok = client.post("/accounts/2fa/setup/", {"token": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    # a new session must pass the verify step
    other = Client()
    other.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = other.get("/")
    assert response["Location"].startswith("/accounts/2fa/")
    assert other.post("/accounts/2fa/", {"token": "123456"}).status_code == 200
    assert other.get("/").status_code == 302
    # django-otp refuses a code already used (replay); the next time step's code is accepted
    other.post("/accounts/2fa/", {"token": pyotp.TOTP(secret).at(time.time() + 30)})
    assert other.get("/").status_code == 200


def test_session_api_needs_two_factor_too(client, make_user, settings):
    settings.REQUIRE_2FA = True
    user = make_user("MX", Role.LICENSING_OFFICER)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert client.get("/api/v1/accounts/me").status_code in (401, 403)


def test_applicants_do_not_need_two_factor(client, make_user, settings):
    settings.REQUIRE_2FA = True
    user = make_user("MX", Role.APPLICANT)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert client.get("/").status_code == 200


def _bearer(text: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def test_token_acts_in_its_role_only(client, make_user):
    user = make_user("MX", Role.LICENSING_OFFICER, Role.SUPERVISOR)
    _token, text = services.create_token(user=user, role=Role.LICENSING_OFFICER, name="gw", by=user)
    me = client.get("/api/v1/accounts/me", **_bearer(text)).json()
    assert me["roles"] == ["licensing_officer"] and me["authority"] == "MX"
    # audit:view belongs to the supervisor role, which this token does not carry
    assert client.get("/api/v1/audit/events", **_bearer(text)).status_code == 403
    _t2, sup = services.create_token(user=user, role=Role.SUPERVISOR, name="sup", by=user)
    assert client.get("/api/v1/audit/events", **_bearer(sup)).status_code == 200


def test_token_is_stored_hashed(make_user):
    user = make_user("MX", Role.LICENSING_OFFICER)
    token, text = services.create_token(user=user, role=Role.LICENSING_OFFICER, name="gw", by=user)
    secret = text.split("_", 2)[2]
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in stored.digest and len(stored.digest) == 64


def test_expired_and_revoked_tokens_are_refused(client, make_user):
    user = make_user("MX", Role.LICENSING_OFFICER)
    token, text = services.create_token(user=user, role=Role.LICENSING_OFFICER, name="gw", by=user)
    assert client.get("/api/v1/accounts/me", **_bearer(text)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/accounts/me", **_bearer(text)).status_code == 401
    token2, text2 = services.create_token(user=user, role=Role.LICENSING_OFFICER, name="gw2", by=user)
    services.revoke_token(token2.pk, by=user)
    assert client.get("/api/v1/accounts/me", **_bearer(text2)).status_code == 401
    assert client.get("/api/v1/accounts/me", **_bearer("atk_nothing_here")).status_code == 401


def test_token_for_a_role_the_user_lacks_is_refused(make_user):
    from django.core.exceptions import ValidationError

    user = make_user("MX", Role.LICENSING_OFFICER)
    with pytest.raises(ValidationError):
        services.create_token(user=user, role=Role.SUPERVISOR, name="x", by=user)


def test_malformed_api_body_gets_422_naming_the_field(client, make_user):
    user = make_user("MX", Role.LICENSING_OFFICER)
    _token, text = services.create_token(user=user, role=Role.LICENSING_OFFICER, name="gw", by=user)
    response = client.post(
        "/api/v1/accounts/tokens",
        data=json.dumps({"name": "x", "role": "emperor"}),
        content_type="application/json",
        **_bearer(text),
    )
    assert response.status_code == 422
    assert "role" in json.dumps(response.json())
    response = client.post(
        "/api/v1/accounts/tokens", data="{not json", content_type="application/json", **_bearer(text)
    )
    assert response.status_code in (400, 422)


def test_oversize_body_gets_413(client, settings):
    settings.MAX_BODY_BYTES = 2048
    response = client.post("/accounts/login/", data="x" * 5000, content_type="text/plain")
    assert response.status_code == 413
    response = client.post("/api/v1/accounts/tokens", data="x" * 5000, content_type="application/json")
    assert response.status_code == 413 and "too large" in response.json()["detail"]


def test_pages_carry_a_strict_csp_without_inline_script(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html and ' style="' not in html


def test_login_form_needs_csrf(make_user):
    user = make_user("MX", Role.LICENSING_OFFICER)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "Form expired" in response.content.decode()


def test_system_accounts_cannot_log_in(client, make_authority):
    user = services.create_user(
        username="mx.sys", authority=make_authority("MX"), roles=[Role.EUC_ISSUER], is_system=True
    )
    user.set_password(PASSWORD)
    user.save()
    client.post("/accounts/login/", {"username": "mx.sys", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_health_endpoints(client):
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json()["database"] == "ok"
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_request_id_header(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]) == 32


def test_tokens_page_creates_and_shows_once(client, make_user, login):
    user = make_user("MX", Role.LICENSING_OFFICER)
    login(user)
    response = client.post("/accounts/tokens/", {"name": "gateway", "role": "licensing_officer", "days": 30})
    html = response.content.decode()
    assert 'data-testid="new-token">atk_' in html
    assert "atk_" not in client.get("/accounts/tokens/").content.decode().split("<table")[0]


def test_trainees_practise_on_real_screens_only_in_the_sandbox(make_user, make_authority):
    from attkit.core.permissions import Permission

    sandbox = make_authority("XT", is_sandbox=True)
    trainee = make_user(sandbox, Role.TRAINEE)
    assert Permission.SCREENING_REVIEW in trainee.effective_permissions()
    assert Permission.EUC_VERIFY in trainee.effective_permissions()
    real = make_user("MX", Role.TRAINEE)
    assert Permission.SCREENING_REVIEW not in real.effective_permissions()
    assert Permission.EUC_ISSUE not in trainee.effective_permissions()
