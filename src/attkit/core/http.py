"""Typed request for views and API handlers behind login: `request.user` is an attkit User."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from attkit.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
