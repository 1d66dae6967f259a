"""The /api/v1 NinjaAPI: token or session auth, one error mapping, routers discovered per app."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

import attkit
from attkit.core.errors import DATABASE_FAILED, validation_messages

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from attkit.accounts.services import authenticate_token

        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session (with CSRF on unsafe methods), for pages that call the API."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.needs_two_factor() and not user.is_verified():
                return None
            return user
        return None


# The error answers that come from this module's shared machinery rather than from one handler: the token or
# session check (401; 403 when a session's CSRF token is missing, or when the role lacks the permission, which
# every handler checks), the record lookup through the caller's authority (404 for an id in the path), ninja's
# parsing and validation of parameters and body (400 unreadable body, 422 invalid value) and the body cap (413).
_ERROR_BODY = {
    "application/json": {
        "schema": {"type": "object", "properties": {"detail": {"title": "Detail"}}, "required": ["detail"]}
    }
}
_SHARED_ERRORS = {
    "400": "The request body cannot be read (not JSON, or not the declared media type)",
    "401": "Authentication required: a valid API token or session",
    "403": "The token's role lacks the permission, or the session's CSRF token is missing",
    "404": "No such record in the caller's authority",
    "413": "The request body is larger than ATTKIT_MAX_BODY_BYTES",
    "422": "A parameter or the body is invalid (the field is named), or the use case refused it",
}


def _document_shared_errors(schema: dict[str, Any]) -> None:
    """Add to each operation the error statuses the shared machinery can answer, unless it documents them."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = []
            if operation.get("security"):
                codes += ["401", "403"]
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                codes.append("404")
            if operation.get("parameters") or "requestBody" in operation:
                codes.append("422")
            if "requestBody" in operation:
                codes += ["400", "413"]
            responses = operation["responses"]
            for code in codes:
                if code not in responses and int(code) not in responses:  # ninja keys its own statuses by int
                    responses[int(code)] = {"description": _SHARED_ERRORS[code], "content": _ERROR_BODY}


class AttkitAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        _document_shared_errors(schema)
        return schema


api = AttkitAPI(
    title="attkit API",
    version="1",
    description="Arms Trade Treaty implementation: end-user certificates, screening, licensing, records.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ErrorOut(Schema):
    detail: Any


class HealthOut(Schema):
    status: str
    version: str
    database: str


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_messages(exc)}, status=422)


@api.exception_handler(ObjectDoesNotExist)
def _missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(MultiPartParserError)
def _unreadable_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A multipart body Django cannot parse (a header over its size limit) is the caller's error, not a 500.
    return api.create_response(request, {"detail": "The uploaded form could not be read."}, status=400)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: a valid API token or session."}, status=401
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_failed(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    # The connection was lost or a lock or statement timed out: the use case rolled back, the client may retry.
    logger.warning("database failure answered with 503: %s", exc)
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
    response = api.create_response(request, {"detail": str(DATABASE_FAILED)}, status=503)
    response["Retry-After"] = "5"
    return response


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error")
    return api.create_response(request, {"detail": "Internal error. The incident was logged."}, status=500)


@api.get("/health", auth=None, response=HealthOut, tags=["system"], summary="Service health")
def health(request: HttpRequest) -> dict[str, str]:
    status = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "unavailable"
        status = "degraded"
    return {"status": status, "version": attkit.__version__, "database": database}


# Each app may expose `router` in attkit/<app>/api.py; it is mounted at /api/v1/<app>/.
API_APPS = (
    "accounts",
    "reference",
    "seals",
    "euc",
    "screening",
    "licensing",
    "assessment",
    "reporting",
    "training",
    "treaty",
)


def _mount_routers() -> None:
    for app in API_APPS:
        try:
            module = importlib.import_module(f"attkit.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name == f"attkit.{app}.api":
                continue
            raise
        router: Router | None = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{getattr(module, 'PREFIX', app)}/", router)


_mount_routers()


audit_router = Router(tags=["audit"])


class AuditEventOut(Schema):
    chain: str
    seq: int
    created_at: Any
    actor_label: str
    kind: str
    target_type: str
    target_id: str
    target_label: str
    payload: dict[str, Any]
    hash: str


@audit_router.get("/events", response=list[AuditEventOut], summary="Audit events of the caller's authority")
def audit_events(request: HttpRequest, kind: str = "", limit: int = 100) -> Any:
    from attkit.core.models import AuditEvent
    from attkit.core.permissions import Permission, require

    require(request.user, Permission.AUDIT_VIEW)
    events = AuditEvent.objects.for_user(request.user).order_by("-seq")
    if kind:
        events = events.filter(kind__startswith=kind[:64])
    return list(events[: max(1, min(limit, 1000))])


api.add_router("/audit/", audit_router)
