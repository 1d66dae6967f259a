"""Officials must pass the two-factor step before any page other than login, set-up and static files."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

# Only the sign-in steps themselves: user management and API tokens live under /accounts/ too, and a token
# minted before the second factor would skip it for good. The API checks the step in its SessionAuth.
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/readyz",
    "/api/",
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and user.needs_two_factor()
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor verification required."}, status=403)
            from attkit.accounts.services import confirmed_totp_device

            target = "accounts:2fa_verify" if confirmed_totp_device(user) else "accounts:2fa_setup"
            return HttpResponseRedirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
