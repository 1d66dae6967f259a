"""Django app config for attkit.training."""

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "attkit.training"
    label = "training"
    default_auto_field = "django.db.models.BigAutoField"
