"""API for the caller's identity and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from attkit.accounts import services
from attkit.accounts.models import ApiToken
from attkit.core.http import AuthedRequest
from attkit.core.permissions import Role

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    authority: str | None
    agency: str | None
    roles: list[str]
    permissions: list[str]


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    role: Role
    days: int = Field(90, ge=1, le=365)


class TokenOut(Schema):
    id: UUID
    name: str
    role: str
    key_id: str
    expires_at: datetime
    status: str


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/me", response=MeOut, summary="Who the caller is, in which authority and roles")
def me(request: AuthedRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.get_username(),
        "display_name": user.display_name,
        "authority": user.authority.code if user.authority else None,
        "agency": user.agency.name_en if user.agency else None,
        "roles": sorted(r.value for r in user.roles()),
        "permissions": sorted(p.value for p in user.effective_permissions()),
    }


def _token_out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role,
        "key_id": token.key_id,
        "expires_at": token.expires_at,
        "status": token.status.value,
    }


@router.get("/tokens", response=list[TokenOut], summary="The caller's API tokens")
def list_tokens(request: AuthedRequest) -> list[dict[str, object]]:
    return [_token_out(t) for t in ApiToken.objects.for_user(request.user).filter(user=request.user)]


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token (shown once)")
def create_token(request: AuthedRequest, body: TokenIn) -> Status[dict[str, object]]:
    token, text = services.create_token(
        user=request.user,
        role=body.role,
        name=body.name,
        by=request.user,
        expires_at=timezone.now() + timedelta(days=body.days),
    )
    return Status(201, {**_token_out(token), "token": text})


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="Revoke an API token")
def revoke_token(request: AuthedRequest, token_id: UUID) -> dict[str, object]:
    return _token_out(services.revoke_token(token_id, by=request.user))
