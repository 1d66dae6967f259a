"""Django app config for attkit.treaty."""

from django.apps import AppConfig


class TreatyConfig(AppConfig):
    name = "attkit.treaty"
    label = "treaty"
    default_auto_field = "django.db.models.BigAutoField"
