"""Django app config for attkit.reporting."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "attkit.reporting"
    label = "reporting"
    default_auto_field = "django.db.models.BigAutoField"
