"""One mapping from service errors to what a user sees: form errors, API details, CLI lines."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def validation_messages(exc: ValidationError) -> Any:
    """{"field": ["message", ...]} when the error names fields, else a list of messages."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return [str(m) for m in exc.messages]


def one_line(exc: ValidationError) -> str:
    messages = validation_messages(exc)
    if isinstance(messages, dict):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in messages.items())
    return " ".join(messages)


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, _("Bad request"), _("The request could not be understood. Check what you entered."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = str(exception) if exception and str(exception) else _("You do not have permission to see this page.")
    return _page(request, 403, _("Access denied"), detail)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, _("Page not found"), _("Check the address, or go back to your home page."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        500,
        _("Something went wrong"),
        _("The error was logged. Try again; if it persists, tell your administrator."),
    )


DATABASE_FAILED = gettext_lazy(
    "The database could not complete this action, so it was not saved. Try again in a moment."
)


def database_unavailable(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A lost connection, a lock or statement timeout: the transaction rolled back, the user may retry."""
    response = _page(request, 503, _("The database did not answer"), str(DATABASE_FAILED))
    response["Retry-After"] = "5"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("Form expired"),
        _("The form was sent without a valid security token. Go back, reload the page and send it again."),
    )


def bad_request_with(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _page(request, 400, _("The request could not be completed"), one_line(exc))
