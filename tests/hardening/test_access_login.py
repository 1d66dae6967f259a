"""Sign-in limits and two-factor enforcement with production-like settings.

ATTKIT_REQUIRE_2FA is on (the default outside demo, dev and test); the lockout limit is the production
default. The Redis part runs with the cache and sessions on Redis at 127.0.0.1:6379, as scripts/serve-prod.sh
sets them when Redis answers; it is skipped when Redis does not answer, except under CI=true where it fails.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

import pyotp
import pytest
from django.test import Client

from attkit.core.permissions import Role
from tests.conftest import PASSWORD
from tests.hardening import _access_walk as walk

pytestmark = pytest.mark.django_db

LIMIT = 5  # AXES_FAILURE_LIMIT's production default (ATTKIT_LOGIN_FAILURE_LIMIT)


@pytest.fixture
def production_like(settings: Any) -> Any:
    settings.REQUIRE_2FA = True
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # retries are throttled in production; not what these tests are about
    return settings


def _sign_in(client: Client, username: str, password: str = PASSWORD, address: str = "203.0.113.7") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _enrol(client: Client) -> str:
    page = client.get("/accounts/2fa/setup/").content.decode()
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
    assert client.post("/accounts/2fa/setup/", {"token": pyotp.TOTP(secret).now()}).status_code == 302
    return secret


# --- two-factor: every page and every API call of a session -------------------------------------------------

# Pages an official reaches before the second factor: signing in and out, and the two-factor steps themselves.
BEFORE_SECOND_FACTOR = {"accounts:login", "accounts:logout", "accounts:2fa_verify", "accounts:2fa_setup"}
PUBLIC_PAGES = {"healthz", "readyz"}


@pytest.mark.parametrize("enrolled", [False, True], ids=["not-enrolled", "enrolled"])
def test_official_without_second_factor_reaches_no_page_and_no_api(production_like, make_user, enrolled):
    """Signed in with the password only, an administrator holding every role gets the two-factor step on every
    page (GET and POST) and a refusal on every API operation: nothing is served and nothing changes."""
    user = make_user("MX", *Role, username="mx.everything")
    if enrolled:
        setup = Client()
        setup.force_login(user)
        _enrol(setup)
    client = Client(raise_request_exception=False)
    assert _sign_in(client, user.username).status_code == 302 and _signed_in(client)
    expected = "/accounts/2fa/" if enrolled else "/accounts/2fa/setup/"
    plain = walk.plain_values()
    failures = []
    for route in walk.all_routes():
        if route.key in BEFORE_SECOND_FACTOR | PUBLIC_PAGES or route.key == "GET /api/v1/health":
            continue
        values = dict.fromkeys(route.params(), "00000000-0000-0000-0000-000000000000")
        values.update({p: plain[p] for p in route.params() if p in plain})
        url = route.fill(values)
        for method in route.methods:
            status, written = walk.call(client, method, url)
            if written:
                failures.append(f"{method} {url}: changed state before the second factor")
            if route.is_api:
                if status not in (401, 403):
                    failures.append(f"{method} {url}: API answered {status} to a session without second factor")
            else:
                response = client.get(url) if method == "GET" else None
                if method == "GET" and not (
                    response is not None and response.status_code == 302 and response["Location"].startswith(expected)
                ):
                    failures.append(f"GET {url}: {status}, not sent to {expected}")
                if method == "POST" and status not in (302, 403, 405):
                    failures.append(f"POST {url}: answered {status} before the second factor")
    assert not failures, "\n".join(failures[:60])


def test_official_cannot_mint_an_api_token_before_the_second_factor(production_like, make_user):
    """An API token skips the two-factor step by nature, so it must not be obtainable without it."""
    from attkit.accounts.models import ApiToken

    user = make_user("MX", Role.LICENSING_OFFICER, Role.ADMINISTRATOR)
    client = Client()
    _sign_in(client, user.username)
    response = client.post("/accounts/tokens/", {"name": "skip", "role": "administrator", "days": 30})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    assert not ApiToken.objects.filter(user=user).exists()
    assert client.post("/api/v1/accounts/tokens", {"name": "skip", "role": "administrator"}).status_code in (401, 403)
    assert not ApiToken.objects.filter(user=user).exists()
    # after the second factor the same page works
    _enrol(client)
    response = client.post("/accounts/tokens/", {"name": "now", "role": "administrator", "days": 30})
    assert response.status_code == 200 and ApiToken.objects.filter(user=user).count() == 1


def test_user_management_needs_the_second_factor(production_like, make_user):
    admin = make_user("MX", Role.ADMINISTRATOR)
    officer = make_user("MX", Role.LICENSING_OFFICER)
    client = Client()
    _sign_in(client, admin.username)
    for path in ("/accounts/users/", "/accounts/users/new/", f"/accounts/users/{officer.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/"), path
    before = walk.audit_count()
    response = client.post(f"/accounts/users/{officer.pk}/reset-2fa/", {})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    assert walk.audit_count() == before


def test_applicants_and_trainees_sign_in_without_second_factor(production_like, make_user):
    for role in (Role.APPLICANT, Role.TRAINEE):
        user = make_user("MX", role)
        client = Client()
        _sign_in(client, user.username)
        assert client.get("/").status_code == 200, role


# --- lockout ------------------------------------------------------------------------------------------------


def test_lockout_after_the_limit_for_a_user_at_an_address(production_like, make_user):
    user = make_user("MX", Role.LICENSING_OFFICER)
    attacker = Client()
    for _ in range(LIMIT - 1):
        _sign_in(attacker, user.username, "wrong-password-123")
    # below the limit the right password still works
    probe = Client()
    assert _sign_in(probe, user.username).status_code == 302 and _signed_in(probe)
    # a success resets the count (AXES_RESET_ON_SUCCESS); LIMIT failures in a row lock
    for _ in range(LIMIT):
        _sign_in(attacker, user.username, "wrong-password-123")
    response = _sign_in(attacker, user.username)
    assert response.status_code in (403, 429) and not _signed_in(attacker)
    assert "Too many failed sign-in attempts" in response.content.decode()
    # the lock is held in the database, so another worker (a fresh client, an empty local cache) sees it
    from django.core.cache import caches

    caches["default"].clear()
    other_worker = Client()
    response = _sign_in(other_worker, user.username)
    assert response.status_code in (403, 429) and not _signed_in(other_worker)


def test_lockout_counts_the_user_name_and_address_together(production_like, make_user):
    """AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]: the failures of one user name from one address.

    The same user from another address, and another user from the locked address, still sign in: a guesser
    cannot lock officials out of their accounts from elsewhere (see docs/security.md)."""
    user = make_user("MX", Role.LICENSING_OFFICER)
    colleague = make_user("MX", Role.LICENSING_OFFICER)
    for _ in range(LIMIT):
        _sign_in(Client(), user.username, "wrong-password-123", address="198.51.100.9")
    locked = Client()
    assert _sign_in(locked, user.username, address="198.51.100.9").status_code in (403, 429)
    assert not _signed_in(locked)
    elsewhere = Client()
    assert _sign_in(elsewhere, user.username, address="192.0.2.44").status_code == 302 and _signed_in(elsewhere)
    same_address = Client()
    _sign_in(same_address, colleague.username, address="198.51.100.9")
    assert _signed_in(same_address)


def test_second_factor_codes_are_throttled(settings, make_user):
    """django-otp slows retries after a wrong code: a burst of guesses is refused even with the right code."""
    settings.REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    user = make_user("MX", Role.SUPERVISOR)
    setup = Client()
    setup.force_login(user)
    secret = _enrol(setup)
    client = Client()
    _sign_in(client, user.username)
    for _ in range(3):
        client.post("/accounts/2fa/", {"token": "000000"})
    client.post("/accounts/2fa/", {"token": pyotp.TOTP(secret).now()})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")


# --- Redis: the cache and the sessions shared by the workers -----------------------------------------------------


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def on_redis(production_like: Any) -> Any:
    if not _redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis does not answer at 127.0.0.1:6379, and CI must run the Redis checks")
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    from django.core.cache import caches

    prefix = f"attkit-access-test-{uuid.uuid4().hex}"
    production_like.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    production_like.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    yield production_like
    caches["default"].delete_pattern("*")  # this test's prefix only
    caches["default"].close()


def test_on_redis_sessions_carry_the_second_factor_across_workers(on_redis, make_user):
    from django.core.cache import caches

    assert "Redis" in type(caches["default"]).__name__
    user = make_user("MX", Role.EUC_ISSUER)
    first = Client()
    _sign_in(first, user.username)
    response = first.get("/euc/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    assert first.get("/api/v1/accounts/me").status_code in (401, 403)
    _enrol(first)
    # another worker: a new client with the same session cookie reads the session from Redis
    second = Client()
    second.cookies = first.cookies
    assert second.get("/euc/").status_code == 200
    assert second.get("/api/v1/accounts/me").status_code == 200
    # signing out ends the session for every worker
    first.post("/accounts/logout/")
    assert second.get("/euc/").status_code == 302


def test_on_redis_a_lockout_holds_for_every_worker(on_redis, make_user):
    user = make_user("MX", Role.SUPERVISOR)
    for _ in range(LIMIT):
        _sign_in(Client(), user.username, "wrong-password-123")
    for _ in range(2):  # two more workers, each with its own client
        worker = Client()
        response = _sign_in(worker, user.username)
        assert response.status_code in (403, 429) and not _signed_in(worker)
