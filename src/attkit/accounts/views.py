"""Login with its two-factor step, TOTP set-up, logout, and the user's API tokens."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from attkit.accounts import services
from attkit.accounts.forms import ApiTokenForm, LoginForm, TokenCodeForm, UserForm
from attkit.accounts.models import ApiToken, User
from attkit.core import audit
from attkit.core.audit import CoreAuditKind
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Permission, Role, require


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("core:home")


@login_required
def two_factor_verify(request: AuthedRequest) -> HttpResponse:
    device = services.confirmed_totp_device(request.user)
    if device is None:
        return redirect("accounts:2fa_setup")
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            from django.db import transaction

            with transaction.atomic():
                audit.record(request.user, CoreAuditKind.USER_2FA_VERIFY, request.user, {})
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("token", _("The code is not correct or has expired. Enter the code your app shows now."))
    return render(
        request,
        "accounts/2fa_verify.html",
        {"form": form, "next": _safe_next(request), "page_title": _("Two-factor check")},
    )


@login_required
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    if services.confirmed_totp_device(request.user) is not None:
        return redirect("accounts:2fa_verify")
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp_enrolment(request.user, form.cleaned_data["token"])
        except ValidationError as exc:
            for msg in exc.message_dict.get("token", exc.messages):
                form.add_error("token", msg)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return HttpResponseRedirect(_safe_next(request))
    device = services.start_totp_enrolment(request.user)
    qr = segno.make(device.config_url, error="m")
    qr_svg = qr.svg_data_uri(scale=5)
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/2fa_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": secret,
            "next": _safe_next(request),
            "page_title": _("Set up two-factor authentication"),
        },
    )


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    roles: frozenset[Role] = request.user.roles()
    form = ApiTokenForm(request.POST or None, roles=roles)
    created_text = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_text = services.create_token(
                user=request.user,
                role=Role(form.cleaned_data["role"]),
                name=form.cleaned_data["name"],
                by=request.user,
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]),
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
    mine = ApiToken.objects.for_user(request.user).filter(user=request.user)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": mine, "created_text": created_text, "page_title": _("API tokens")},
    )


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: str) -> HttpResponse:
    services.revoke_token(token_id, by=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")


def _agencies(request: AuthedRequest) -> Any:
    from attkit.accounts.models import Agency

    return Agency.objects.for_user(request.user).filter(is_active=True)


@login_required
def users(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.USERS_MANAGE)
    people = User.objects.for_user(request.user).filter(is_system=False).select_related("agency")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        people = people.filter(username__icontains=query) | people.filter(last_name__icontains=query)
    page = Paginator(people.order_by("username").prefetch_related("role_grants"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "q": query, "page_title": _("Users")})


@login_required
def user_new(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.USERS_MANAGE)
    form = UserForm(request.POST or None, agencies=_agencies(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if User.objects.filter(username=data["username"]).exists():
            form.add_error("username", _("This username is taken. Choose another."))
        else:
            try:
                user = services.create_user(
                    username=data["username"],
                    authority=request.user.authority,
                    roles=[Role(r) for r in data["roles"]],
                    password=data["password"],
                    agency=data["agency"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    job_title=data["job_title"],
                    by=request.user,
                )
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(request, _("The user was created."))
                return redirect("accounts:user_edit", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "page_title": _("New user"), "editing": False})


@login_required
def user_edit(request: AuthedRequest, user_id: str) -> HttpResponse:
    require(request.user, Permission.USERS_MANAGE)
    person = User.objects.for_user(request.user).get(pk=user_id, is_system=False)
    initial = {
        "roles": [r.value for r in person.roles()],
        "agency": person.agency_id,
        "is_active": person.is_active,
        "job_title": person.job_title,
    }
    form = UserForm(request.POST or None, agencies=_agencies(request), editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                person.pk,
                by=request.user,
                roles=[Role(r) for r in data["roles"]],
                agency=data["agency"],
                is_active=data["is_active"],
                job_title=data["job_title"],
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "person": person, "editing": True, "page_title": _("Edit user")},
    )


@login_required
def user_reset_2fa(request: AuthedRequest, user_id: str) -> HttpResponse:
    require(request.user, Permission.USERS_MANAGE)
    person = User.objects.for_user(request.user).get(pk=user_id, is_system=False)
    if request.method == "POST":
        services.reset_two_factor(person.pk, by=request.user)
        messages.success(request, _("The authenticator was removed. The user sets up a new one at the next sign-in."))
        return redirect("accounts:user_edit", user_id=person.pk)
    return render(request, "accounts/user_reset_2fa.html", {"person": person, "page_title": _("Reset two-factor")})
