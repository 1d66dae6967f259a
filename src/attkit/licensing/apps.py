"""Django app config for attkit.licensing."""

from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "attkit.licensing"
    label = "licensing"
    default_auto_field = "django.db.models.BigAutoField"
