"""Django app config for attkit.assessment."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "attkit.assessment"
    label = "assessment"
    verbose_name = _("Risk assessment")
    default_auto_field = "django.db.models.BigAutoField"
