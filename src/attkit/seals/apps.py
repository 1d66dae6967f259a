"""Django app config for attkit.seals."""

from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "attkit.seals"
    label = "seals"
    default_auto_field = "django.db.models.BigAutoField"
