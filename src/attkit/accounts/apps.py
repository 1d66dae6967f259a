"""Django app for users, agencies, applicant organisations, roles, two-factor login and API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "attkit.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.accounts import signals  # noqa: F401  (audit of logins)
