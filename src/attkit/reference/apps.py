"""Django app config for attkit.reference: shared reference data and its navigation entries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "attkit.reference"
    label = "reference"
    verbose_name = _("Reference data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.core import nav
        from attkit.core.permissions import Permission

        nav.register(
            nav.NavItem(
                "reference",
                _("Reference data"),
                "reference:index",
                Permission.REFERENCE_VIEW,
                _("Countries, categories, the HS crosswalk and arms embargoes, with their sources and dates."),
                order=800,
            )
        )
        nav.register(
            nav.NavItem(
                "reference_embargoes",
                _("Arms embargoes"),
                "reference:embargoes",
                Permission.REFERENCE_VIEW,
                _("UN Security Council and EU arms embargoes, with their scope and as-of date."),
                order=810,
                in_menu=False,
            )
        )
