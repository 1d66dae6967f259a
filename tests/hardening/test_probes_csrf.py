"""CSRF: every route refuses an unsafe request from a signed-in browser that carries no CSRF token.

The walk covers every URL pattern, whatever methods its view claims to accept: CSRF middleware runs before
the view, so a route that answers anything but the CSRF refusal is exempt somewhere. The API (django-ninja,
csrf-exempt at Django's level) checks CSRF itself when the caller uses the session cookie, and not when it
presents a Bearer token, which a browser never sends on its own.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client

from attkit.core.permissions import Role
from tests.hardening._probes_common import PARAM, fill, routes

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")
CSRF_PAGE_TEXT = "without a valid security token"  # attkit.core.errors.csrf_failure
CSRF_API_TEXT = "CSRF check Failed"  # ninja's refusal


def _is_api(route: str) -> bool:
    return route.startswith("api/v1/") and route != "api/v1/"


@pytest.fixture
def official(make_user: Any) -> Any:
    return make_user("MX", *[r for r in Role if r is not Role.TRAINEE], username="mx.csrf")


def _browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _with_token(client: Client) -> dict[str, str]:
    """A valid CSRF cookie and header pair, as a page's form or script would send."""
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return {"HTTP_X_CSRFTOKEN": _mask_cipher_secret(secret)}


def _refused_for_csrf(route: str, response: Any) -> bool:
    body = response.content.decode("utf-8", "replace")
    return response.status_code == 403 and (CSRF_API_TEXT in body or CSRF_PAGE_TEXT in body)


def test_the_walk_sees_the_state_changing_routes() -> None:
    found = {route for route, _ in routes()}
    for expected in ("euc/<uuid:pk>/issue/", "cases/<uuid:pk>/decision/", "accounts/users/new/", "accounts/logout/"):
        assert expected in found
    assert sum(1 for r in found if r.startswith("api/v1/")) > 40


def test_only_the_api_is_csrf_exempt_at_django_level() -> None:
    """A page view marked csrf_exempt would bypass the middleware; only ninja's views may (they check it)."""
    exempt = [route for route, callback in routes() if getattr(callback, "csrf_exempt", False)]
    assert exempt, "ninja's views are csrf_exempt; the walk should see them"
    assert [r for r in exempt if not _is_api(r)] == []


def _api_operations(client: Client) -> list[tuple[str, str]]:
    """(method, path) of every unsafe API operation, from the OpenAPI schema, parameters filled."""
    schema = client.get("/api/v1/openapi.json").json()
    out = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in UNSAFE:
                out.append((method, re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)))
    return out


def test_every_page_refuses_a_post_without_a_token(official: Any) -> None:
    """Pages: CSRF middleware treats every unsafe method alike, so one POST per route proves it."""
    client = _browser(official)
    accepted = []
    for route, _callback in routes():
        if _is_api(route):
            continue
        response = client.post(fill(route), data={})
        if not _refused_for_csrf(route, response):
            accepted.append(f"POST {fill(route)} -> {response.status_code}")
    assert accepted == [], "\n".join(accepted)


def test_every_unsafe_api_operation_refuses_the_session_without_a_token(official: Any) -> None:
    client = _browser(official)
    operations = _api_operations(client)
    assert len(operations) > 40
    accepted = []
    for method, path in operations:
        response = getattr(client, method)(path, data={}, content_type="application/json")
        if not _refused_for_csrf(path, response):
            accepted.append(f"{method.upper()} {path} -> {response.status_code}")
    assert accepted == [], "\n".join(accepted)


def test_the_schema_lists_every_api_route() -> None:
    """The API walk above reads the OpenAPI schema: every routed API path must be in it."""
    from attkit.core.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    documented = {re.sub(r"\{[^}]+\}", "<>", p).rstrip("/") for p in schema["paths"]}
    routed = {
        "/" + PARAM.sub("<>", route).rstrip("/")
        for route, callback in routes()
        if _is_api(route) and getattr(callback, "csrf_exempt", False)
    }
    assert len(routed) > 30
    missing = routed - documented - {"/api/v1/docs", "/api/v1/openapi.json"}
    assert missing == set()


def test_the_refusal_is_the_missing_token_not_the_route(official: Any) -> None:
    """Control: the same requests with a valid token are not refused for CSRF, so the walk above proves CSRF."""
    client = _browser(official)
    headers = _with_token(client)
    refused: list[str] = []
    for route, _callback in routes():
        if route in ("accounts/logout/",) or _is_api(route):
            continue  # logout signs the client out; the API's control is test_api_with_the_session_needs_the_token
        url = fill(route)
        response = client.post(url, data={}, **headers)
        if _refused_for_csrf(route, response):
            refused.append(f"POST {url}")
    assert refused == [], "\n".join(refused)


def test_a_cross_site_form_cannot_change_state(official: Any, make_user: Any) -> None:
    """A real state change (creating a user) does not happen without the token, and does with it."""
    from attkit.accounts.models import User

    client = _browser(official)
    data = {"username": "mx.csrf.victim", "first_name": "A", "last_name": "B", "roles": [Role.ASSESSOR.value]}
    response = client.post("/accounts/users/new/", data)
    assert response.status_code == 403
    assert not User.objects.filter(username="mx.csrf.victim").exists()


def test_api_with_the_session_needs_the_token(official: Any) -> None:
    client = _browser(official)
    body = {"name": "csrf probe", "role": Role.LICENSING_OFFICER.value}
    refused = client.post("/api/v1/accounts/tokens", body, content_type="application/json")
    assert refused.status_code == 403
    assert CSRF_API_TEXT in refused.content.decode()
    headers = _with_token(client)
    allowed = client.post("/api/v1/accounts/tokens", body, content_type="application/json", **headers)
    assert allowed.status_code == 201, allowed.content


def test_api_with_a_bearer_token_uses_no_cookie(official: Any) -> None:
    from attkit.accounts.services import create_token

    _, secret = create_token(user=official, role=Role.LICENSING_OFFICER, name="probe", by=official)
    bare = Client(enforce_csrf_checks=True)  # no session, no CSRF cookie
    body = {"name": "made with a token", "role": Role.LICENSING_OFFICER.value}
    response = bare.post(
        "/api/v1/accounts/tokens", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 201, response.content
    assert "Set-Cookie" not in response.headers or "sessionid" not in response.headers["Set-Cookie"]
    # Without the Bearer token the same bare client gets nothing: no cookie can stand in for it.
    before = official.api_tokens.count() if hasattr(official, "api_tokens") else None
    assert bare.post("/api/v1/accounts/tokens", body, content_type="application/json").status_code in (401, 403)
    if before is not None:
        assert official.api_tokens.count() == before
