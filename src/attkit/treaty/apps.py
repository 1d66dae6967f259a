"""Django app config for attkit.treaty: the treaty status of states and their reporting."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatyConfig(AppConfig):
    name = "attkit.treaty"
    label = "treaty"
    verbose_name = _("Treaty status")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.core import nav
        from attkit.core.permissions import Permission

        nav.register(
            nav.NavItem(
                "treaty",
                _("Treaty status"),
                "treaty:index",
                Permission.TREATY_VIEW,
                _("Which states signed, ratified and report under the Arms Trade Treaty, and who is due or late."),
                order=700,
            )
        )
