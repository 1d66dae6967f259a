"""The CSP header attkit sends, built once per process, is the one django-csp would build; anything
django-csp does per request (a nonce, a view's change, report-only) still goes through django-csp."""

from __future__ import annotations

import pytest
from csp.constants import NONCE
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from attkit.core.middleware import StaticCSPMiddleware

pytestmark = pytest.mark.django_db


def _answer(response: HttpResponse | None = None, request=None):
    middleware = StaticCSPMiddleware(lambda request: response or HttpResponse("ok"))
    request = request or RequestFactory().get("/")
    return middleware(request)


def test_every_page_and_api_answer_carries_django_csps_policy(client):
    expected = build_policy()
    assert "frame-ancestors 'none'" in expected
    assert client.get("/accounts/login/")["Content-Security-Policy"] == expected
    assert client.get("/api/v1/openapi.json")["Content-Security-Policy"] == expected
    assert client.get("/healthz")["Content-Security-Policy"] == expected


def test_a_changed_setting_changes_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert _answer()["Content-Security-Policy"] == "default-src 'none'"


def test_per_request_policies_go_through_django_csp(settings):
    response = HttpResponse("ok")
    response._csp_update = {"img-src": ["https://maps.example"]}
    header = _answer(response)["Content-Security-Policy"]
    assert "https://maps.example" in header and "frame-ancestors 'none'" in header

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    request = RequestFactory().get("/")
    middleware = StaticCSPMiddleware(lambda r: HttpResponse(str(r.csp_nonce)))
    middleware.process_request(request)
    answer = middleware.process_response(request, HttpResponse(str(request.csp_nonce)))
    assert answer["Content-Security-Policy"] == build_policy(nonce=request._csp_nonce)
    assert "'nonce-" in answer["Content-Security-Policy"]
    assert _answer()["Content-Security-Policy"] == build_policy()  # no nonce asked for, none sent
    assert "'nonce-" not in build_policy()

    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    answer = _answer()
    assert answer["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert answer["Content-Security-Policy"] == build_policy()


def test_a_header_set_by_the_view_is_kept():
    response = HttpResponse("ok")
    response["Content-Security-Policy"] = "sandbox"
    assert _answer(response)["Content-Security-Policy"] == "sandbox"
