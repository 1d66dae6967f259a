"""Django app config for attkit.reference."""

from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "attkit.reference"
    label = "reference"
    default_auto_field = "django.db.models.BigAutoField"
