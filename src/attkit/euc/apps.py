"""Django app config for attkit.euc."""

from django.apps import AppConfig


class EucConfig(AppConfig):
    name = "attkit.euc"
    label = "euc"
    default_auto_field = "django.db.models.BigAutoField"
