"""Template context shared by every page: navigation entries for the user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from attkit.core import nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": [i for i in nav.items_for(user) if i.in_menu]}
