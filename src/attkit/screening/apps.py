"""Django app for screening parties against sanctions and denial lists."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "attkit.screening"
    label = "screening"
    verbose_name = _("Screening")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.core import nav
        from attkit.core.permissions import Permission

        nav.register(
            nav.NavItem(
                "screening",
                _("Screening"),
                "screening:search",
                Permission.SCREENING_SEARCH,
                _("Screen a name against UN Security Council, OFAC and national lists."),
                order=300,
            )
        )
        nav.register(
            nav.NavItem(
                "screening_hits",
                _("Hits to review"),
                "screening:hits",
                Permission.SCREENING_REVIEW,
                _("Possible matches that hold a case until an officer decides."),
                order=310,
            )
        )
