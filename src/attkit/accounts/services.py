"""Use cases for accounts: users and roles, API tokens, two-factor enrolment."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from attkit.accounts.models import Agency, ApiToken, Organisation, RoleGrant, User
from attkit.core import audit, rows
from attkit.core.audit import CoreAuditKind
from attkit.core.models import Authority
from attkit.core.permissions import Permission, Role, require


def create_user(
    *,
    username: str,
    authority: Authority | None,
    roles: Iterable[Role],
    password: str | None = None,
    agency: Agency | None = None,
    organisation: Organisation | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    language: str = "es",
    is_system: bool = False,
    by: User | None = None,
) -> User:
    with transaction.atomic():
        user = User(
            username=username,
            authority=authority,
            agency=agency,
            organisation=organisation,
            first_name=first_name,
            last_name=last_name,
            email=email,
            job_title=job_title,
            language=language,
            is_system=is_system,
        )
        if password and not is_system:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        role_list = sorted({Role(r) for r in roles})
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r.value) for r in role_list])
        audit.record(by, CoreAuditKind.USER_CREATE, user, {"roles": [r.value for r in role_list]}, authority=authority)
    return user


def create_token(
    *, user: User, role: Role, name: str, by: User, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create an API token; the token text is returned once and never stored."""
    if by.pk != user.pk:
        require(by, Permission.TOKENS_MANAGE)
        if by.authority_id != user.authority_id:
            raise PermissionDenied(_("You can only manage tokens of your own authority."))
    if user.authority is None:
        raise ValidationError(_("A token needs a user who belongs to an authority."))
    if role not in user.roles():
        raise ValidationError({"role": _("The user does not hold this role.")})
    expiry = expires_at or ApiToken.default_expiry()
    if expiry <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    text, key_id, digest = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            authority=user.authority,
            role=role.value,
            name=name.strip()[:100] or "token",
            key_id=key_id,
            digest=digest,
            expires_at=expiry,
        )
        audit.record(by, CoreAuditKind.TOKEN_CREATE, token, {"role": role.value, "expires_at": expiry.isoformat()})
    return token, text


def revoke_token(token_id: UUID | str, *, by: User) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.for_user(by).select_for_update().get(pk=token_id)
        if token.user_id != by.pk:
            require(by, Permission.TOKENS_MANAGE)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(by, CoreAuditKind.TOKEN_REVOKE, token, {})
    return token


_TOKEN = rows.Columns.of(ApiToken, "t")
_TOKEN_USER = rows.Columns.of(User, "u")
_TOKEN_AUTHORITY = rows.Columns.of(Authority, "a")


@functools.cache
def _token_sql() -> str:
    """The token, its user, the user's authority and whether the user still holds the token's role: one query.

    Every API call runs it; written as SQL because the ORM's compiler cost more than the round trip
    (docs/performance.md, "Load").
    """
    return (
        f"SELECT {_TOKEN.sql()}, {_TOKEN_USER.sql()}, {_TOKEN_AUTHORITY.sql()}, "  # noqa: S608 (no user input)
        f"EXISTS (SELECT 1 FROM {rows.table(RoleGrant)} g WHERE g.user_id = t.user_id AND g.role = t.role) "
        f"FROM {rows.table(ApiToken)} t JOIN {rows.table(User)} u ON u.id = t.user_id "
        f"JOIN {rows.table(Authority)} a ON a.id = u.authority_id WHERE t.key_id = %s"
    )


def authenticate_token(text: str) -> User | None:
    """The user an Authorization: Bearer token acts for, limited to the token's role; None if invalid.

    A token acts only while it is active, its user is active and still in the token's authority, and the
    user still holds the token's role.
    """
    if not text or len(text) > 200:
        return None
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != ApiToken.PREFIX:
        return None
    _prefix, key_id, secret = parts
    found = rows.fetch(_token_sql(), [key_id])
    if not found:
        return None
    row = found[0]
    token = _TOKEN.build(row)
    user = _TOKEN_USER.build(row, _TOKEN.width)
    if not token.matches(secret) or token.status != "active":
        return None
    if not user.is_active or user.authority_id != token.authority_id:
        return None
    authority = _TOKEN_AUTHORITY.build(row, _TOKEN.width + _TOKEN_USER.width)
    User.authority.field.set_cached_value(user, authority)
    ApiToken.authority.field.set_cached_value(token, authority)
    ApiToken.user.field.set_cached_value(token, user)
    role = Role(token.role)
    user._roles_cache = frozenset({role}) if row[-1] else frozenset()
    user._token_role = role
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def start_totp_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the set-up page (replaced at each visit until confirmed)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="attkit", confirmed=False)


def confirm_totp_enrolment(user: User, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise ValidationError({"token": _("Start the set-up again: no pending authenticator was found.")})
    if not device.verify_token(token.strip()):
        raise ValidationError({"token": _("The code is not correct. Enter the 6-digit code your app shows now.")})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(user, CoreAuditKind.USER_2FA_ENROL, user, {})
    return device


def update_user(
    user_id: UUID | str,
    *,
    by: User,
    roles: Iterable[Role],
    agency: Agency | None,
    is_active: bool,
    job_title: str = "",
) -> User:
    """An authority administrator changes a colleague's roles, agency or access (never across authorities)."""
    require(by, Permission.USERS_MANAGE)
    with transaction.atomic():
        user = User.objects.for_user(by).select_for_update().get(pk=user_id)
        if agency is not None and agency.authority_id != by.authority_id:
            raise ValidationError({"agency": _("The agency must belong to your authority.")})
        new_roles = {Role(r) for r in roles}
        if user.pk == by.pk and Role.ADMINISTRATOR not in new_roles:
            raise ValidationError({"roles": _("You cannot remove your own administrator role.")})
        if user.pk == by.pk and not is_active:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
        old_roles = set(user.roles())
        RoleGrant.objects.filter(user=user).exclude(role__in=[r.value for r in new_roles]).delete()
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=r.value) for r in new_roles - old_roles], ignore_conflicts=True
        )
        user.agency = agency
        user.is_active = is_active
        user.job_title = job_title
        user.save(update_fields=["agency", "is_active", "job_title"])
        user._roles_cache = None
        audit.record(
            by,
            CoreAuditKind.USER_UPDATE,
            user,
            {
                "roles_added": sorted(r.value for r in new_roles - old_roles),
                "roles_removed": sorted(r.value for r in old_roles - new_roles),
                "is_active": is_active,
                "agency": str(agency.pk) if agency else None,
            },
        )
    return user


def reset_two_factor(user_id: UUID | str, *, by: User) -> User:
    """Remove a colleague's authenticators so they enrol again at the next sign-in (a lost phone)."""
    require(by, Permission.USERS_MANAGE)
    with transaction.atomic():
        user = User.objects.for_user(by).select_for_update().get(pk=user_id)
        count, _details = TOTPDevice.objects.filter(user=user).delete()
        audit.record(by, CoreAuditKind.USER_2FA_RESET, user, {"devices_removed": count})
    return user
