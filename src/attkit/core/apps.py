"""Django app for attkit's core: tenancy, permissions, audit events, base templates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "attkit.core"
    label = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.core import (
            checks,  # noqa: F401  (registers system checks)
            nav,
        )

        nav.register_core_items()
