"""System checks that keep a deployment honest (run by `attkit check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.ENV == "production" and not settings.REQUIRE_2FA:
        errors.append(Error("ATTKIT_REQUIRE_2FA is off in production.", id="attkit.E001"))
    return errors
