"""Django app for seals: signing keys, signer certificates, trust lists and verification."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SealsConfig(AppConfig):
    name = "attkit.seals"
    label = "seals"
    verbose_name = _("Seals and verification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.seals.views import register_nav

        register_nav()
