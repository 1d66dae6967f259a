"""Django app for the ATT implementation course: lessons, quizzes, simulation cases, cohorts, certificates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "attkit.training"
    label = "training"
    verbose_name = _("Training")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.core import nav
        from attkit.core.permissions import Permission
        from attkit.training import certificates

        nav.register(
            nav.NavItem(
                "training",
                _("Course"),
                "training:index",
                Permission.COURSE_TAKE,
                _("The Arms Trade Treaty implementation course: lessons, quizzes and simulation cases."),
                order=80,
            )
        )
        nav.register(
            nav.NavItem(
                "training_cohorts",
                _("Cohorts"),
                "training:cohorts",
                Permission.COURSE_TEACH,
                _("Your cohorts of trainees: enrolment, progress, reviews and results."),
                order=81,
            )
        )
        certificates.register()
