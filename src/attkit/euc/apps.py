"""Django app for end-user certificates: issue, seal, print, verify, drawdown and delivery verification."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EucConfig(AppConfig):
    name = "attkit.euc"
    label = "euc"
    verbose_name = _("End-user certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.core import nav
        from attkit.core.permissions import Permission
        from attkit.euc import registry

        nav.register(
            nav.NavItem(
                "euc",
                _("End-user certificates"),
                "euc:list",
                Permission.EUC_VIEW,
                _("Draft, issue, revoke and amend your authority's certificates; record deliveries."),
                order=20,
            )
        )
        nav.register(
            nav.NavItem(
                "euc_use",
                _("Record a use of a certificate"),
                "euc:use_lookup",
                Permission.EUC_DRAWDOWN,
                _("Find another state's certificate by its serial and seal, and record what your export draws."),
                order=21,
            )
        )
        registry.register_handlers()

        from attkit.euc import screening_link
        from attkit.screening.services import register_subject_provider

        register_subject_provider(screening_link.valid_certificate_parties)  # type: ignore[arg-type]
