"""Django app config for attkit.screening."""

from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "attkit.screening"
    label = "screening"
    default_auto_field = "django.db.models.BigAutoField"
