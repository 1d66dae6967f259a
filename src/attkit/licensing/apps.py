"""Django app config for attkit.licensing: navigation entries and the LIC1: seal registry handler."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "attkit.licensing"
    label = "licensing"
    verbose_name = _("Transfer licensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.licensing.services import rescreen_open_cases
        from attkit.screening.services import on_lists_changed

        on_lists_changed(rescreen_open_cases)
        from attkit.core import nav
        from attkit.core.permissions import Permission
        from attkit.licensing import integrations

        nav.register(
            nav.NavItem(
                "cases",
                _("Cases"),
                "licensing:case_list",
                Permission.CASE_VIEW,
                _("Applications to export, import, transit or broker arms: screening, advice, decisions."),
                order=30,
            )
        )
        nav.register(
            nav.NavItem(
                "my_applications",
                _("My applications"),
                "licensing:my_applications",
                Permission.CASE_APPLY,
                _("Apply for a licence and follow your organisation's applications."),
                order=31,
            )
        )
        nav.register(
            nav.NavItem(
                "shipments",
                _("Record a shipment"),
                "licensing:shipment_lookup",
                Permission.SHIPMENT_RECORD,
                _("Find a licence by its number and record what a customs declaration ships under it."),
                order=32,
            )
        )
        nav.register(
            nav.NavItem(
                "licence_verify",
                _("Verify a licence"),
                "licensing:licence_verify",
                Permission.LICENCE_VERIFY,
                _("Check a licence's seal and its standing in the register: quantities left, suspension."),
                order=33,
            )
        )
        nav.register(
            nav.NavItem(
                "denial_notices",
                _("Denial notices"),
                "licensing:denial_notices",
                Permission.CASE_VIEW,
                _("Refusals shared by the authorities on the hub."),
                order=34,
            )
        )
        integrations.register_licence_kind()
        integrations.register_screening_hook()
