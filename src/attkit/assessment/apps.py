"""Django app config for attkit.assessment."""

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "attkit.assessment"
    label = "assessment"
    default_auto_field = "django.db.models.BigAutoField"
