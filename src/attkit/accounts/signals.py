"""Audit events for logins, logouts and failed logins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from attkit.core import audit
from attkit.core.audit import CoreAuditKind


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(user, CoreAuditKind.USER_LOGIN, user, {})


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit.record(user, CoreAuditKind.USER_LOGOUT, user, {})
