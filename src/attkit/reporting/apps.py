"""Django app config for attkit.reporting: records, reports, reconciliation and their navigation entries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "attkit.reporting"
    label = "reporting"
    verbose_name = _("Records and reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attkit.core import nav
        from attkit.core.permissions import Permission

        nav.register(
            nav.NavItem(
                "records",
                _("Records"),
                "reporting:records",
                Permission.RECORDS_VIEW,
                _("Every authorisation and transfer kept for ten years (Art. 12): search, correct, import, export."),
                order=500,
            )
        )
        nav.register(
            nav.NavItem(
                "reports",
                _("Reports"),
                "reporting:index",
                Permission.REPORTS_VIEW,
                _("The ATT annual report and the UN Register report, due 31 May; charts of transfers."),
                order=510,
            )
        )
        nav.register_notice(nav.Notice("att_report_reminder", Permission.REPORTS_VIEW, _reminder_notice, order=10))
        nav.register(
            nav.NavItem(
                "customs_reconciliation",
                _("Customs reconciliation"),
                "reporting:customs",
                Permission.SHIPMENT_RECORD,
                _("Customs declarations checked against licences: shipments without or above a licence."),
                order=520,
                in_menu=False,
            )
        )


def _reminder_notice(user: object) -> str:
    """The 31 May reminder of the ATT annual report, on the home page of those who prepare reports."""
    from django.template.loader import render_to_string

    from attkit.reporting import services

    authority = getattr(user, "authority", None)
    if authority is None:
        return ""
    reminder = services.reminder_for(authority)
    if reminder is None:
        return ""
    return render_to_string("reporting/_reminder.html", {"reminder": reminder, "grace_days": services.GRACE_DAYS})
