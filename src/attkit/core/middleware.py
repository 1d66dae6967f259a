"""Request ids for logs, the request-body cap that answers 413 before a view reads anything, and the CSP header."""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy as build_csp_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("attkit_request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
logger = logging.getLogger(__name__)


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


class BodySizeLimitMiddleware:
    """Refuse bodies over ATTKIT_MAX_BODY_BYTES with 413, by declared length or by what arrives."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.MAX_BODY_BYTES)
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, limit)
        return self.get_response(request)


# \u0000 in a JSON string (an escaped backslash before it is text, not a NUL); a raw NUL byte is invalid JSON.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00")


class NulInQueryMiddleware:
    """Refuse a NUL character in the path, the query string or a JSON body with 400: PostgreSQL cannot store or
    compare text holding one, so every filter, path parameter (a state's ISO code...) or API text field (an
    application's end use...) that passed it to the database answered 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path_info
            or any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
            or (request.content_type == "application/json" and _JSON_NUL.search(request.body))
        ):
            message = _("The request could not be understood. Check what you entered.")
            if wants_json(request):
                return JsonResponse({"detail": message}, status=400)
            html = render_to_string("errors/error.html", {"status": 400, "title": _("Bad request"), "message": message})
            return HttpResponse(html, status=400)
        return self.get_response(request)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is too large. The limit is %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)}
    if wants_json(request):
        return JsonResponse({"detail": message}, status=413)
    html = render_to_string("errors/error.html", {"status": 413, "title": _("Too large"), "message": message})
    return HttpResponse(html, status=413)


class ServiceErrorMiddleware:
    """Pages: a record outside the user's authority is 'not found', never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import ObjectDoesNotExist, ValidationError

        from attkit.core import errors

        if isinstance(exception, ObjectDoesNotExist):
            return errors.page_not_found(request, exception)
        if isinstance(exception, ValidationError):
            return errors.bad_request_with(request, exception)
        if isinstance(exception, OperationalError | InterfaceError):
            # The connection was lost or a lock or statement timed out: the use case rolled back as a whole.
            logger.warning("database failure answered with 503: %s", exception)
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()  # the page below opens a fresh connection
            return errors.database_unavailable(request, exception)
        return None


class StaticCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy text built once per process instead of twice per response.

    attkit's policy (settings.CONTENT_SECURITY_POLICY) uses no nonce and no per-view change, so its text is
    the same on every response; building it cost more than any other middleware on an API call. A request
    that asked for a nonce, a response that django-csp's decorators changed, or a report-only or excluded-prefix
    setting goes through django-csp's own path.
    """

    _PER_RESPONSE = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        policy = _static_policy()
        if (
            policy is None
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._PER_RESPONSE)
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):  # as django-csp: Django's debug pages
            return response
        if CSP_HEADER not in response:
            response[CSP_HEADER] = policy
        return response


@functools.cache
def _static_policy() -> str | None:
    """The policy text, or None when the settings ask for something only django-csp's own path does."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or policy.get("EXCLUDE_URL_PREFIXES"):
        return None
    return build_csp_policy() or None


@receiver(setting_changed)
def _forget_static_policy(setting: str, **_kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _static_policy.cache_clear()
